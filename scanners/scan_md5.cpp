#include "scanners/scan_md5.h"

#include <utility>

namespace tcpflow::scanners {

namespace {

class Md5Run : public ScanRun {
 public:
  void update(ByteView chunk) override { md5_.update(chunk); }
  void finish(ScanResult& result) override {
    std::string hex = md5_.hex_digest();
    result.xml.push_back(report::XmlChild::leaf("hashdigest", hex).attr("type", "md5"));
    result.jsonl.emplace_back("md5", hex);
  }

 private:
  Md5 md5_;
};

// The file's writer hashed it as it wrote it: nothing to read.
class WrittenMd5Run : public ScanRun {
 public:
  explicit WrittenMd5Run(std::string hex) : hex_(std::move(hex)) {}
  void update(ByteView) override {}
  bool wants_more() const override { return false; }
  void finish(ScanResult& result) override {
    result.xml.push_back(report::XmlChild::leaf("hashdigest", hex_).attr("type", "md5"));
    result.jsonl.emplace_back("md5", std::move(hex_));
  }

 private:
  std::string hex_;
};

class Md5Scanner : public Scanner {
 public:
  std::string_view name() const override { return "md5"; }
  std::string_view description() const override {
    return "MD5 of every flow file, as <hashdigest type=\"md5\"> in the report";
  }
  std::unique_ptr<ScanRun> begin(const ScanTarget& target) override {
    if (!target.info.written_md5.empty()) {
      return std::make_unique<WrittenMd5Run>(target.info.written_md5);
    }
    return std::make_unique<Md5Run>();
  }
};

}  // namespace

std::unique_ptr<Scanner> make_md5_scanner() { return std::make_unique<Md5Scanner>(); }

}  // namespace tcpflow::scanners
