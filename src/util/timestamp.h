// Packet time with nanosecond resolution (pcap files are opened at nanosecond
// precision so nothing is lost from nanosecond captures).
#pragma once
#include <cstdint>

namespace tcpflow {

struct Timestamp {
  int64_t sec = 0;
  uint32_t nsec = 0;

  friend bool operator<(const Timestamp& a, const Timestamp& b) {
    return a.sec != b.sec ? a.sec < b.sec : a.nsec < b.nsec;
  }
  friend bool operator==(const Timestamp& a, const Timestamp& b) {
    return a.sec == b.sec && a.nsec == b.nsec;
  }
  friend bool operator!=(const Timestamp& a, const Timestamp& b) { return !(a == b); }
  friend bool operator>(const Timestamp& a, const Timestamp& b) { return b < a; }
  bool is_zero() const { return sec == 0 && nsec == 0; }
};

// later - earlier, in seconds (negative when `later` is earlier).
inline double seconds_between(Timestamp earlier, Timestamp later) {
  return static_cast<double>(later.sec - earlier.sec) +
         (static_cast<double>(later.nsec) - static_cast<double>(earlier.nsec)) / 1e9;
}

// Moves `ts` by `delta_sec` seconds, possibly fractional or negative (-S tdelta).
inline void shift_timestamp(Timestamp& ts, double delta_sec) {
  constexpr int64_t kNanos = 1000000000;
  int64_t delta_ns = static_cast<int64_t>(delta_sec * 1e9);
  int64_t total_ns = static_cast<int64_t>(ts.nsec) + delta_ns % kNanos;
  ts.sec += delta_ns / kNanos + total_ns / kNanos;
  total_ns %= kNanos;
  if (total_ns < 0) {
    total_ns += kNanos;
    ts.sec -= 1;
  }
  ts.nsec = static_cast<uint32_t>(total_ns);
}

}  // namespace tcpflow
