#include "util/md5.h"

#include <openssl/evp.h>

#include "util/error.h"
#include "util/hex.h"

namespace tcpflow {

struct Md5::Context {
  EVP_MD_CTX* ctx = nullptr;
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Md5::Md5() : context_(std::make_unique<Context>()) {
  context_->ctx = EVP_MD_CTX_new();
  if (!context_->ctx || EVP_DigestInit_ex(context_->ctx, EVP_md5(), nullptr) != 1) {
    throw Error("OpenSSL cannot initialise MD5");
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
  return lowercase_hex(digest, length);
}

}  // namespace tcpflow
