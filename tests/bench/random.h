// Deterministic randomness for the benchmark generator: a small sequential
// generator for decisions, and a stateless word function for payload bytes so
// any byte of any flow direction can be recomputed from (seed, offset).
#ifndef TCPFLOW_TESTS_BENCH_RANDOM_H
#define TCPFLOW_TESTS_BENCH_RANDOM_H

#include <cstddef>
#include <cstdint>

namespace bench {

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(mix64(seed ^ 0x5851f42d4c957f2dULL)) {}
  uint64_t next() { return mix64(state_ += kGolden); }
  // Uniform in [0, n), n > 0.
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
  // Uniform in (0, 1].
  double unit() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }
  bool chance(double p) { return p > 0 && unit() <= p; }

 private:
  uint64_t state_;
};

// Payload byte i of a stream with seed s is byte (i % 8) (little-endian) of
// payload_word(s, i / 8).
inline uint64_t payload_word(uint64_t seed, uint64_t k) {
  return mix64(seed + k * kGolden);
}

inline void fill_payload(uint64_t seed, uint64_t off, size_t len, uint8_t* dst) {
  uint64_t k = off / 8;
  unsigned skip = static_cast<unsigned>(off % 8);
  while (len > 0) {
    const uint64_t w = payload_word(seed, k++);
    if (skip == 0 && len >= 8) {
      for (int i = 0; i < 8; ++i) dst[i] = static_cast<uint8_t>(w >> (8 * i));
      dst += 8;
      len -= 8;
      continue;
    }
    for (unsigned i = skip; i < 8 && len > 0; ++i, --len) {
      *dst++ = static_cast<uint8_t>(w >> (8 * i));
    }
    skip = 0;
  }
}

}  // namespace bench

#endif
