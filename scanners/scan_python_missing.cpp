// Built instead of scan_python.cpp when configure did not find python3-embed:
// the scanner still exists, so `-e python` says what is missing instead of
// "unknown scanner".
#include "scanners/scan_python.h"
#include "util/error.h"

namespace tcpflow::scanners {

namespace {

class MissingPythonScanner : public Scanner {
 public:
  std::string_view name() const override { return "python"; }
  std::string_view description() const override {
    return "(not built: install the Debian package python3-dev and rebuild)";
  }
  bool enabled_by_all() const override { return false; }
  void setup() override {
    throw Error("the python scanner is not built into this tcpflow: install the Debian "
                "package python3-dev (apt-get install python3-dev), then configure and build again");
  }
  std::unique_ptr<ScanRun> begin(const ScanTarget&) override { return nullptr; }
};

}  // namespace

std::unique_ptr<Scanner> make_python_scanner(const ScannerOptions&) {
  return std::make_unique<MissingPythonScanner>();
}

}  // namespace tcpflow::scanners
