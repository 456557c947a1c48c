#include "decode/checksum.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace tcpflow::decode {
namespace {

// RFC 1071 as written: big-endian 16-bit words, a last odd byte padded.
uint16_t reference_sum(const uint8_t* p, size_t n) {
  uint64_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t{p[i]} << 8) | p[i + 1];
  if (n % 2) sum += uint32_t{p[n - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(n);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
  return bytes;
}

TEST(Checksum, EveryLengthAndAlignmentMatchesRfc1071) {
  const std::vector<uint8_t> bytes = random_bytes(2100, 1);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n = 0; n + offset <= 2100; n += (n < 300 ? 1 : 37)) {
      ChecksumAccumulator acc;
      acc.add(ByteView(bytes.data() + offset, n));
      ASSERT_EQ(acc.sum(), reference_sum(bytes.data() + offset, n)) << offset << " " << n;
    }
  }
}

TEST(Checksum, RunsSplitAnywhereSumAsOne) {
  const std::vector<uint8_t> bytes = random_bytes(1500, 2);
  const uint16_t whole = reference_sum(bytes.data(), bytes.size());
  for (size_t cut = 0; cut <= bytes.size(); cut += 7) {
    ChecksumAccumulator acc;
    acc.add(ByteView(bytes.data(), cut));
    acc.add(ByteView(bytes.data() + cut, bytes.size() - cut));
    ASSERT_EQ(acc.sum(), whole) << cut;
  }
}

// All ones for longer than the wide sum's lanes can hold without widening
// (16,384 steps of 32 bytes): a lane that overflowed would lose a carry.
TEST(Checksum, LongRunsOfHighWordsDoNotOverflow) {
  for (size_t n : {size_t{512} * 1024 - 32, size_t{512} * 1024, size_t{3} * 1024 * 1024 + 17}) {
    std::vector<uint8_t> ones(n, 0xFF);
    ones[n / 3] = 0x12;  // not all 0xFFFF: the folded sum still tells
    ChecksumAccumulator acc;
    acc.add(ByteView(ones.data(), n));
    EXPECT_EQ(acc.sum(), reference_sum(ones.data(), n)) << n;
    const std::vector<uint8_t> noise = random_bytes(n, 3);
    ChecksumAccumulator noisy;
    noisy.add(ByteView(noise.data(), n));
    EXPECT_EQ(noisy.sum(), reference_sum(noise.data(), n)) << n;
  }
}

}  // namespace
}  // namespace tcpflow::decode
