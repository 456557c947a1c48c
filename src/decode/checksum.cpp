#include "decode/checksum.h"

#include <algorithm>
#include <cstring>

#include "util/cpu_features.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TCPFLOW_CHECKSUM_AVX2 1
#endif

namespace tcpflow::decode {

namespace {

constexpr bool kHostIsLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

// The ones'-complement sum of the 8-byte words at p[0..n), n a multiple of
// 8, as they lie in memory (not yet folded or byte-swapped).
uint64_t sum_words_scalar(const uint8_t* p, size_t n) {
  uint64_t native = 0;
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, sizeof w);
    native += (w & 0xFFFFFFFFu) + (w >> 32);
  }
  return native;
}

#ifdef TCPFLOW_CHECKSUM_AVX2
// The same sum 32 bytes a step: each 32-bit lane adds its two 16-bit halves
// into separate accumulators, which take 65,536 steps to overflow; they are
// widened into 64 bits every 16,384 steps (512 KiB).
__attribute__((target("avx2"))) uint64_t sum_words_avx2(const uint8_t* p, size_t n) {
  constexpr size_t kStepsBeforeWidening = 16384;
  const __m256i low_halves = _mm256_set1_epi32(0xFFFF);
  uint64_t total = 0;
  size_t i = 0;
  while (n - i >= 32) {
    __m256i low = _mm256_setzero_si256();
    __m256i high = _mm256_setzero_si256();
    const size_t steps = std::min((n - i) / 32, kStepsBeforeWidening);
    for (size_t k = 0; k < steps; ++k, i += 32) {
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
      low = _mm256_add_epi32(low, _mm256_and_si256(v, low_halves));
      high = _mm256_add_epi32(high, _mm256_srli_epi32(v, 16));
    }
    alignas(32) uint32_t lanes[16];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), low);
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes + 8), high);
    for (size_t lane = 0; lane < 8; ++lane) total += lanes[lane] + (uint64_t{lanes[8 + lane]} << 16);
  }
  return total + sum_words_scalar(p + i, n - i);
}
#endif

uint64_t sum_words(const uint8_t* p, size_t n) {
#ifdef TCPFLOW_CHECKSUM_AVX2
  if (n >= 64 && cpu_has_avx2()) return sum_words_avx2(p, n);
#endif
  return sum_words_scalar(p, n);
}

}  // namespace

void ChecksumAccumulator::add(ByteView bytes) {
  const uint8_t* p = bytes.data();
  const size_t n = bytes.size();
  size_t i = 0;
  if (odd_ && n > 0) {
    sum_ += p[0];
    i = 1;
    odd_ = false;
  }
  // Eight bytes at a time: the ones'-complement sum does not depend on byte
  // order (RFC 1071), so add the words as they lie in memory and swap the
  // folded result once. Each step adds less than 2^33: no overflow.
  if (n - i >= 16) {
    const size_t words = (n - i) / 8 * 8;
    uint64_t native = sum_words(p + i, words);
    i += words;
    while (native >> 16) native = (native & 0xFFFF) + (native >> 16);
    uint16_t folded = static_cast<uint16_t>(native);
    if (kHostIsLittleEndian) folded = static_cast<uint16_t>((folded >> 8) | (folded << 8));
    sum_ += folded;
  }
  for (; i + 1 < n; i += 2) sum_ += (uint32_t(p[i]) << 8) | p[i + 1];
  if (i < n) {
    sum_ += uint32_t(p[i]) << 8;
    odd_ = true;
  }
}

void ChecksumAccumulator::add_u16(uint16_t value) {
  const uint8_t b[2] = {uint8_t(value >> 8), uint8_t(value)};
  add(ByteView(b, sizeof b));
}

void ChecksumAccumulator::add_u32(uint32_t value) {
  const uint8_t b[4] = {uint8_t(value >> 24), uint8_t(value >> 16), uint8_t(value >> 8),
                        uint8_t(value)};
  add(ByteView(b, sizeof b));
}

uint16_t ChecksumAccumulator::sum() const {
  uint64_t s = sum_;
  while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
  return static_cast<uint16_t>(s);
}

uint16_t internet_checksum(ByteView bytes) {
  ChecksumAccumulator acc;
  acc.add(bytes);
  return acc.checksum();
}

void add_pseudo_header(ChecksumAccumulator& acc, const IpAddress& src, const IpAddress& dst,
                       uint8_t protocol, uint32_t length) {
  const size_t addr_len = src.family == 6 ? 16 : 4;
  acc.add(ByteView(src.bytes.data(), addr_len));
  acc.add(ByteView(dst.bytes.data(), addr_len));
  if (src.family == 6) {
    acc.add_u32(length);
    acc.add_u32(protocol);
  } else {
    acc.add_u16(protocol);
    acc.add_u16(static_cast<uint16_t>(length));
  }
}

bool transport_checksum_ok(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                           ByteView segment) {
  ChecksumAccumulator acc;
  add_pseudo_header(acc, src, dst, protocol, static_cast<uint32_t>(segment.size()));
  acc.add(segment);
  return acc.verifies();
}

}  // namespace tcpflow::decode
