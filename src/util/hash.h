// A fast, well-mixed 64-bit hash of a byte string, for hash tables and
// shard choices (not for anything an attacker must not steer). Eight bytes
// per step (a flow name is about 45): one multiply per word instead of one
// per byte. The length is mixed in, so a string and the same string padded
// with NULs differ.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tcpflow {

inline uint64_t hash_text(std::string_view text) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ text.size();
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    h = (h ^ word) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
  }
  uint64_t tail = 0;
  // An empty view may have no data at all: memcpy must not see its null.
  if (i < text.size()) std::memcpy(&tail, text.data() + i, text.size() - i);
  h = (h ^ tail) * 0x94d049bb133111ebull;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 32;
  return h;
}

// For keys made of whole 64-bit words (addresses, ports, ids): one multiply
// and fold per word, then an avalanche so the low bits that pick a bucket
// depend on every input bit.
class WordHash {
 public:
  void add(uint64_t word) { h_ = (h_ ^ word ^ (h_ >> 29)) * 0x94d049bb133111ebull; }
  uint64_t value() const {
    uint64_t h = h_ ^ (h_ >> 33);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
  }

 private:
  uint64_t h_ = 0x9e3779b97f4a7c15ull;
};

}  // namespace tcpflow
