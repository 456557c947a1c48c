#include "scanners/legacy_names.h"

namespace tcpflow::scanners {
namespace {

// tcpflow 1.6.1's scanners beyond md5, http, python and tcpdemux.
constexpr LegacyScanner kLegacyScanners[] = {
    {"netviz", "a report.pdf summary of the capture"},
    {"wifiviz", "an 802.11 SSID table in the report"},
};

}  // namespace

const LegacyScanner* find_legacy_scanner(std::string_view name) {
  for (const LegacyScanner& scanner : kLegacyScanners) {
    if (scanner.name == name) return &scanner;
  }
  return nullptr;
}

}  // namespace tcpflow::scanners
