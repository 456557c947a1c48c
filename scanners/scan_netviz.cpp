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
    const std::string why = netviz::renderer_unavailable();
    description_ = why.empty()
                       ? "one-page picture of the run: report.pdf and report.png in the output "
                         "directory"
                       : "(not available: " + why + ")";
    return description_;
  }
  std::string_view settings_help() const override {
    return "netviz_formats=pdf,png  pages written: any of pdf, png, svg";
  }
  // -a asks for every scanner there is; a build without cairo has no netviz.
  bool enabled_by_all() const override { return netviz::renderer_available(); }
  bool reads_flows() const override { return false; }
  void setup() override {
    if (std::string why = netviz::renderer_unavailable(); !why.empty()) {
      throw Error("netviz: " + why, 2);
    }
    netviz::parse_formats(formats_);  // a bad list is a usage error before any packet
  }
  std::unique_ptr<ScanRun> begin(const ScanTarget&) override { return nullptr; }

 private:
  std::string formats_;
  mutable std::string description_;  // what description() points into
};

}  // namespace

std::unique_ptr<Scanner> make_netviz_scanner(const ScannerOptions& options) {
  return std::make_unique<NetvizScanner>(options.netviz_formats);
}

}  // namespace tcpflow::scanners
