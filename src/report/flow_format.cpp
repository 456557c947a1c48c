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

// Appends `value` in decimal, zero-padded to `width` digits.
void append_digits(std::string& out, uint64_t value, int width) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 || n < width);
  while (n > 0) out += digits[--n];
}

void append_fraction(std::string& out, uint32_t nsec) {
  out += '.';
  if (nsec % 1000 == 0) {
    append_digits(out, nsec / 1000, 6);
  } else {
    append_digits(out, nsec, 9);
  }
}

// Proleptic Gregorian date of a day count since 1970-01-01 (day >= 0), by
// counting 400-year eras of 146097 days from 0000-03-01.
void civil_date(int64_t day, int64_t& year, unsigned& month, unsigned& mday) {
  day += 719468;  // days from 0000-03-01 to 1970-01-01
  int64_t era = day / 146097;
  unsigned day_of_era = static_cast<unsigned>(day - era * 146097);
  unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  unsigned march_month = (5 * day_of_year + 2) / 153;  // 0 is March
  mday = day_of_year - (153 * march_month + 2) / 5 + 1;
  month = march_month < 10 ? march_month + 3 : march_month - 9;
  year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

// Every fileobject formats several times: these run a million times on a
// million-connection capture, so they avoid snprintf and gmtime_r's lock.
constexpr int64_t kFirstSecondOfYear10000 = 253402300800;

}  // namespace

std::string iso8601_utc(const Timestamp& ts) {
  if (ts.sec >= 0 && ts.sec < kFirstSecondOfYear10000) {
    int64_t year;
    unsigned month, mday;
    civil_date(ts.sec / 86400, year, month, mday);
    uint64_t second_of_day = static_cast<uint64_t>(ts.sec % 86400);
    std::string out;
    out.reserve(32);
    append_digits(out, static_cast<uint64_t>(year), 4);
    out += '-';
    append_digits(out, month, 2);
    out += '-';
    append_digits(out, mday, 2);
    out += 'T';
    append_digits(out, second_of_day / 3600, 2);
    out += ':';
    append_digits(out, second_of_day / 60 % 60, 2);
    out += ':';
    append_digits(out, second_of_day % 60, 2);
    append_fraction(out, ts.nsec % kNanosPerSecond);
    out += 'Z';
    return out;
  }
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
  if (ts.sec >= 0) {
    std::string out;
    append_digits(out, static_cast<uint64_t>(ts.sec), 1);
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

std::string ip_to_string(const decode::IpAddress& address) {
  if (address.family == 4) {  // glibc's inet_ntop formats IPv4 through sprintf
    std::string out;
    for (size_t i = 0; i < 4; ++i) {
      if (i > 0) out += '.';
      append_digits(out, address.bytes[i], 1);
    }
    return out;
  }
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
  constexpr char kHexDigits[] = "0123456789abcdef";
  std::string out(17, ':');
  for (size_t i = 0; i < 6; ++i) {
    out[3 * i] = kHexDigits[mac[i] >> 4];
    out[3 * i + 1] = kHexDigits[mac[i] & 0x0F];
  }
  return out;
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
