// MD5 (RFC 1321) of many streams at once. One stream's MD5 is a chain of
// 64 dependent steps per block, so a core hashes about 750 MB/s of it
// (OpenSSL included) while most of its arithmetic units idle; eight streams
// side by side in AVX2 registers go several times faster. A writer thread
// hashing the files it writes (-e md5) has many streams: it queues their
// bytes and drains the queue eight streams abreast. OpenSSL has no
// multi-stream MD5; the tests check every digest against its EVP MD5.
// Without AVX2, streams are hashed one by one. (AVX-512VL's ternary logic
// and rotates measured no faster here: each step waits on the one before.)
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "util/byte_view.h"

namespace tcpflow {

class Md5Stream {
 public:
  Md5Stream();
  // Hashes `data` now, on this thread.
  void update(ByteView data);
  // Finishes the digest: 32 lowercase hex digits.
  std::string hex_digest();
  uint64_t length() const { return length_; }

 private:
  friend class Md5Lanes;
  uint32_t state_[4];
  uint64_t length_ = 0;  // bytes taken, the tail's included
  uint32_t tail_len_ = 0;
  bool queued_ = false;  // has bytes in an Md5Lanes queue
  uint8_t tail_[64];     // the bytes of an unfinished block
};

class Md5Lanes {
 public:
  static constexpr size_t kLanes = 8;

  Md5Lanes();  // AVX2 when this CPU has it
  explicit Md5Lanes(bool use_simd);
  Md5Lanes(const Md5Lanes&) = delete;
  Md5Lanes& operator=(const Md5Lanes&) = delete;

  // Queues `data` for `stream`; both must stay valid until drain().
  void add(Md5Stream& stream, ByteView data);
  // Hashes everything queued (each stream's bytes in the order queued).
  void drain();
  // The streams with bytes queued.
  size_t streams() const { return streams_; }
  size_t bytes() const { return bytes_; }  // queued
  bool simd() const { return simd_; }

 private:
  struct Pending {
    Md5Stream* stream;
    const uint8_t* data;
    size_t size;
  };
  struct Group {  // one stream's pieces: pending_[first, end)
    size_t first;
    size_t end;
    size_t bytes;
  };
  struct Lane;
  bool next_run(Lane& lane);
  bool load_lane(Lane& lane, size_t& next_group);

  std::vector<Pending> pending_;
  std::vector<Group> groups_;  // drain()'s, kept for its memory
  size_t streams_ = 0;
  size_t bytes_ = 0;
  bool simd_;
};

}  // namespace tcpflow
