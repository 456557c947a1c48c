// Streaming MD5 over OpenSSL EVP; RAII for the digest context. Used by the
// md5 scanner, the http scanner's body files, and the writers that digest
// a flow file as they write it (output/background_writer).
#pragma once
#include <memory>
#include <string>

#include "util/byte_view.h"

namespace tcpflow {

class Md5 {
 public:
  Md5();  // throws tcpflow::Error when OpenSSL cannot give MD5
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(ByteView data);
  std::string hex_digest();  // finishes the digest

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace tcpflow
