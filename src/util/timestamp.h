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

}  // namespace tcpflow
