// The page's number and time spellings (declared in page_model.h).
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "netviz/page_model.h"
#include "netviz/services.h"

namespace tcpflow::netviz {

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  size_t unit = 0;
  while (bytes >= 999.95 && unit + 1 < sizeof kUnits / sizeof kUnits[0]) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  if (unit == 0) {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  } else {
    std::snprintf(text, sizeof text, bytes < 9.995 ? "%.2f %s" : bytes < 99.95 ? "%.1f %s" : "%.0f %s",
                  bytes, kUnits[unit]);
  }
  return text;
}

std::string utc_text(const Timestamp& ts) {
  std::time_t seconds = static_cast<std::time_t>(ts.sec);
  std::tm tm{};
  if (!gmtime_r(&seconds, &tm)) return "(time out of range)";
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%03u UTC", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.nsec / 1000000);
  return text;
}

std::string duration_text(double seconds) {
  char text[64];
  if (seconds < 0) seconds = 0;
  if (seconds < 1e-3) {
    std::snprintf(text, sizeof text, "%.0f us", seconds * 1e6);
  } else if (seconds < 1) {
    std::snprintf(text, sizeof text, "%.1f ms", seconds * 1e3);
  } else if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.3f s", seconds);
  } else if (seconds < 3600) {
    std::snprintf(text, sizeof text, "%d min %d s", static_cast<int>(seconds / 60),
                  static_cast<int>(seconds) % 60);
  } else if (seconds < 86400) {
    std::snprintf(text, sizeof text, "%d h %d min", static_cast<int>(seconds / 3600),
                  static_cast<int>(seconds / 60) % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld d %d h", static_cast<long long>(seconds / 86400),
                  static_cast<int>(std::fmod(seconds / 3600, 24)));
  }
  return text;
}

std::string width_text(int64_t ns) {
  struct Unit {
    int64_t ns;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{86400'000'000'000, "d"}, {3600'000'000'000, "h"},
                                    {60'000'000'000, "min"},  {1'000'000'000, "s"},
                                    {1'000'000, "ms"},        {1'000, "us"}};
  for (const Unit& unit : kUnits) {
    if (ns >= unit.ns && ns % unit.ns == 0) return std::to_string(ns / unit.ns) + " " + unit.name;
  }
  return std::to_string(ns) + " ns";
}

std::string port_label(uint16_t port) {
  std::string_view name = service_name(port);
  std::string out = std::to_string(port);
  if (!name.empty()) out += " (" + std::string(name) + ")";
  return out;
}

}  // namespace tcpflow::netviz
