#include "report/flow_format.h"

#include <arpa/inet.h>

#include <cinttypes>
#include <cstdio>
#include <ctime>

namespace tcpflow::report {
namespace {

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

}  // namespace

std::string iso8601_utc(const Timestamp& ts) {
  time_t secs = static_cast<time_t>(ts.sec);
  struct tm tm {};
  if (gmtime_r(&secs, &tm) == nullptr) return "1970-01-01T00:00:00.000000Z";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf + fraction(ts.nsec % kNanosPerSecond) + "Z";
}

std::string epoch_decimal(const Timestamp& ts) {
  uint32_t nsec = ts.nsec % kNanosPerSecond;
  char buf[32];
  if (ts.sec < 0 && nsec != 0) {
    // -5 s + 0.25 s is -4.75 s: borrow one second for the fraction.
    std::snprintf(buf, sizeof buf, "-%" PRId64, -(ts.sec + 1));
    return buf + fraction(kNanosPerSecond - nsec);
  }
  std::snprintf(buf, sizeof buf, "%" PRId64, ts.sec);
  return buf + fraction(nsec);
}

std::string ip_to_string(const decode::IpAddress& address) {
  char buf[INET6_ADDRSTRLEN] = {};
  int af = address.family == 6 ? AF_INET6 : address.family == 4 ? AF_INET : 0;
  if (af == 0 || inet_ntop(af, address.bytes.data(), buf, sizeof buf) == nullptr) return "";
  return buf;
}

const char* family_name(const decode::IpAddress& address) {
  switch (address.family) {
    case 4: return "ipv4";
    case 6: return "ipv6";
    default: return "unknown";
  }
}

std::string mac_to_string(const decode::MacAddress& mac) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                mac[3], mac[4], mac[5]);
  return buf;
}

const char* direction_name(const flow::FlowInfo& info) {
  if (!info.direction_known) return "unknown";
  return info.is_client ? "client" : "server";
}

uint64_t gap_bytes(const flow::FlowInfo& info) {
  uint64_t total = 0;
  for (const auto& gap : info.reassembly.gaps) total += gap.length;
  return total;
}

}  // namespace tcpflow::report
