// Scanner names from tcpflow 1.6.1's documentation that users' scripts still
// pass to -e, -x and -E. A name here is only consulted when no registered
// scanner has it, so a scanner that is (re)implemented simply takes over its
// name: nothing in this table has to change for it.
#pragma once
#include <string_view>

namespace tcpflow::scanners {

// 1.6.1's demultiplexer was itself a "scanner". Here it is the program, always on.
inline constexpr std::string_view kDemuxScannerName = "tcpdemux";

struct LegacyScanner {
  std::string_view name;
  std::string_view did;  // what it produced in 1.6.1, for the warning
};

// The 1.6.1 scanner called `name` that this tcpflow lacks, or nullptr.
const LegacyScanner* find_legacy_scanner(std::string_view name);

}  // namespace tcpflow::scanners
