#include "report/flow_format.h"

#include <cinttypes>
#include <cstdio>
#include <ctime>

namespace tcpflow::report {
namespace {

using flow::append_decimal;

constexpr uint32_t kNanosPerSecond = 1000000000;

// ".123456" or ".123456789".
std::string fraction(uint32_t nsec) {
  char buf[16];
  if (nsec % 1000 == 0) {
    std::snprintf(buf, sizeof buf, ".%06" PRIu32, nsec / 1000);
  } else {
    std::snprintf(buf, sizeof buf, ".%09" PRIu32, nsec);
  }
  return buf;
}

void append_fraction(std::string& out, uint32_t nsec) {
  out += '.';
  if (nsec % 1000 == 0) {
    append_decimal(out, nsec / 1000, 6);
  } else {
    append_decimal(out, nsec, 9);
  }
}

// Every fileobject formats several times: these run a million times on a
// million-connection capture, so they avoid snprintf and gmtime_r's lock.
constexpr int64_t kFirstSecondOfYear10000 = 253402300800;

}  // namespace

void append_iso8601_utc(std::string& out, const Timestamp& ts) {
  if (ts.sec >= 0 && ts.sec < kFirstSecondOfYear10000) {
    flow::append_iso_seconds(out, ts.sec);
    append_fraction(out, ts.nsec % kNanosPerSecond);
    out += 'Z';
    return;
  }
  time_t secs = static_cast<time_t>(ts.sec);
  struct tm tm {};
  if (gmtime_r(&secs, &tm) == nullptr) {
    out += "1970-01-01T00:00:00.000000Z";
    return;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  out += buf;
  out += fraction(ts.nsec % kNanosPerSecond);
  out += 'Z';
}

std::string iso8601_utc(const Timestamp& ts) {
  std::string out;
  out.reserve(32);
  append_iso8601_utc(out, ts);
  return out;
}

std::string epoch_decimal(const Timestamp& ts) {
  uint32_t nsec = ts.nsec % kNanosPerSecond;
  if (ts.sec >= 0) {
    std::string out;
    append_decimal(out, static_cast<uint64_t>(ts.sec), 1);
    append_fraction(out, nsec);
    return out;
  }
  char buf[32];
  if (nsec != 0) {
    // -5 s + 0.25 s is -4.75 s: borrow one second for the fraction.
    std::snprintf(buf, sizeof buf, "-%" PRId64, -(ts.sec + 1));
    return buf + fraction(kNanosPerSecond - nsec);
  }
  std::snprintf(buf, sizeof buf, "%" PRId64, ts.sec);
  return buf + fraction(nsec);
}

uint64_t gap_bytes(const flow::FlowInfo& info) {
  uint64_t total = 0;
  for (const auto& gap : info.reassembly.gaps) total += gap.length;
  return total;
}

}  // namespace tcpflow::report
