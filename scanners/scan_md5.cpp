#include "scanners/scan_md5.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace tcpflow::scanners {

struct Md5::Context {
  EVP_MD_CTX* ctx = nullptr;
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Md5::Md5() : context_(std::make_unique<Context>()) {
  context_->ctx = EVP_MD_CTX_new();
  if (!context_->ctx || EVP_DigestInit_ex(context_->ctx, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL cannot initialise MD5");
  }
}

Md5::~Md5() = default;

void Md5::update(ByteView data) {
  if (!data.empty()) EVP_DigestUpdate(context_->ctx, data.data(), data.size());
}

std::string Md5::hex_digest() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context_->ctx, digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

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

class Md5Scanner : public Scanner {
 public:
  std::string_view name() const override { return "md5"; }
  std::string_view description() const override {
    return "MD5 of every flow file, as <hashdigest type=\"md5\"> in the report";
  }
  std::unique_ptr<ScanRun> begin(const ScanTarget&) override {
    return std::make_unique<Md5Run>();
  }
};

}  // namespace

std::unique_ptr<Scanner> make_md5_scanner() { return std::make_unique<Md5Scanner>(); }

}  // namespace tcpflow::scanners
