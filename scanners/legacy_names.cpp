#include "scanners/legacy_names.h"

namespace tcpflow::scanners {
namespace {

// tcpflow 1.6.1's scanners that this tcpflow lacks (md5, http, python and
// netviz are registered; tcpdemux is the program itself).
constexpr LegacyScanner kLegacyScanners[] = {
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
