#include "scanners/scan_netviz.h"

#include "netviz/page_renderer.h"
#include "util/error.h"

namespace tcpflow::scanners {

namespace {

class NetvizScanner : public Scanner {
 public:
  explicit NetvizScanner(std::string formats) : formats_(std::move(formats)) {}

  std::string_view name() const override { return "netviz"; }
  std::string_view description() const override {
    return netviz::renderer_available()
               ? "one-page picture of the run: report.pdf and report.png in the output directory"
               : "(not built: install the Debian package libcairo2-dev and rebuild)";
  }
  std::string_view settings_help() const override {
    return "netviz_formats=pdf,png  pages written: any of pdf, png, svg";
  }
  // -a asks for every scanner there is; a build without cairo has no netviz.
  bool enabled_by_all() const override { return netviz::renderer_available(); }
  bool reads_flows() const override { return false; }
  void setup() override {
    if (!netviz::renderer_available()) {
      throw Error("netviz: this tcpflow was built without cairo: install the Debian package "
                  "libcairo2-dev (apt-get install libcairo2-dev), then configure and build again",
                  2);
    }
    netviz::parse_formats(formats_);  // a bad list is a usage error before any packet
  }
  std::unique_ptr<ScanRun> begin(const ScanTarget&) override { return nullptr; }

 private:
  std::string formats_;
};

}  // namespace

std::unique_ptr<Scanner> make_netviz_scanner(const ScannerOptions& options) {
  return std::make_unique<NetvizScanner>(options.netviz_formats);
}

}  // namespace tcpflow::scanners
