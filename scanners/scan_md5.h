// md5: the MD5 of every flow file (-e md5, -FM), computed while streaming.
#pragma once
#include <memory>

#include "scanners/scanner.h"

namespace tcpflow::scanners {

std::unique_ptr<Scanner> make_md5_scanner();

// Streaming MD5 over OpenSSL EVP; RAII for the digest context.
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void update(ByteView data);
  std::string hex_digest();  // finishes the digest

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace tcpflow::scanners
