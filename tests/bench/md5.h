// MD5 (RFC 1321), written for the benchmark so the generator needs no
// crypto library. Only used to produce truth digests.
#ifndef TCPFLOW_TESTS_BENCH_MD5_H
#define TCPFLOW_TESTS_BENCH_MD5_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace bench {

class Md5 {
 public:
  Md5();
  void update(const void* data, size_t n);
  // Finishes the digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  void block(const uint8_t* p);

  uint32_t h_[4];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

}  // namespace bench

#endif
