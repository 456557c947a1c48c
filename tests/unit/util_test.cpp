#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/byte_entropy.h"
#include "util/hash.h"
#include "util/reader.h"
#include "util/ring_queue.h"
#include "util/seq32.h"
#include "util/stats.h"

namespace tcpflow {
namespace {

// Items come out in the order they went in while the ring wraps around and
// grows with items in it.
TEST(RingQueue, KeepsOrderThroughWrapAndGrowth) {
  RingQueue<std::string> queue;
  EXPECT_TRUE(queue.empty());
  size_t next_in = 0, next_out = 0;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < round % 7 + 1; ++i) queue.push_back(std::to_string(next_in++));
    for (int i = 0; i < round % 5 + 1 && !queue.empty(); ++i) {
      EXPECT_EQ(queue.front(), std::to_string(next_out));
      EXPECT_EQ(queue.take_front(), std::to_string(next_out++));
    }
    ASSERT_EQ(queue.size(), next_in - next_out);
  }
  EXPECT_GT(queue.size(), 16u);  // grew past its first array
  while (!queue.empty()) EXPECT_EQ(queue.take_front(), std::to_string(next_out++));
  EXPECT_EQ(next_out, next_in);
}

TEST(HashText, AnEmptyViewWithoutDataHashesLikeAnEmptyString) {
  // A default string_view has a null data(): nothing may be read through it
  // (UBSan checks the memcpy), and it is the same text as "".
  EXPECT_EQ(hash_text(std::string_view()), hash_text(""));
  EXPECT_NE(hash_text("a/b"), hash_text("a/c"));
}

TEST(Seq32, WrapSafeCompare) {
  EXPECT_TRUE(seq_before(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_after(0x10u, 0xFFFFFFF0u));
  EXPECT_EQ(seq_diff(5, 0xFFFFFFFEu), 7);
}

TEST(Seq32, UnwrapAcrossTheTop) {
  int64_t ref = 0xFFFFFFF0ll;
  EXPECT_EQ(unwrap_seq(ref, 0x10u), 0x100000010ll);
  EXPECT_EQ(unwrap_seq(ref, 0xFFFFFF00u), 0xFFFFFF00ll);
  EXPECT_EQ(unwrap_seq(0x100000010ll, 0xFFFFFFF0u), 0xFFFFFFF0ll);
}

TEST(Reader, RefusesToReadPastTheEnd) {
  const uint8_t bytes[] = {0x12, 0x34, 0x56};
  Reader r(ByteView(bytes, sizeof bytes));
  EXPECT_EQ(r.u16be().value(), 0x1234);
  EXPECT_FALSE(r.u16be().has_value());
  EXPECT_EQ(r.u8().value(), 0x56);
  EXPECT_FALSE(r.u8().has_value());
}

TEST(Stats, NamesAndMerge) {
  Stats a, b;
  a.add(Counter::kGaps, 2);
  b.add(Counter::kGaps);
  a.merge(b);
  EXPECT_EQ(a.get(Counter::kGaps), 3u);
  EXPECT_EQ(counter_name(Counter::kGaps), "gaps");
}

}  // namespace
}  // namespace tcpflow

namespace {

std::vector<uint8_t> noise_bytes(size_t len, uint64_t seed) {
  std::vector<uint8_t> out(len);
  for (auto& byte : out) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    byte = static_cast<uint8_t>(seed >> 56);
  }
  return out;
}

bool incompressible(const std::vector<uint8_t>& bytes) {
  return tcpflow::looks_incompressible(tcpflow::ByteView(bytes.data(), bytes.size()));
}

}  // namespace

TEST(LooksIncompressible, RandomBytesOfAnyUsefulLengthAre) {
  for (size_t len : {1024u, 1500u, 4096u, 20000u, 131072u, 1u << 20}) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      EXPECT_TRUE(incompressible(noise_bytes(len, seed))) << len << " seed " << seed;
    }
  }
}

TEST(LooksIncompressible, TextSkewedBytesAndShortBuffersAreNot) {
  std::string text;
  while (text.size() < 50000) text += "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, ";
  EXPECT_FALSE(incompressible(std::vector<uint8_t>(text.begin(), text.end())));
  EXPECT_FALSE(incompressible(std::vector<uint8_t>(100000, 0)));
  // Base64 uses 64 of the 256 values: Huffman saves a quarter.
  static const char kBase64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<uint8_t> b64 = noise_bytes(60000, 3);
  for (auto& byte : b64) byte = static_cast<uint8_t>(kBase64[byte % 64]);
  EXPECT_FALSE(incompressible(b64));
  // Under 1 KiB nothing is judged.
  EXPECT_FALSE(incompressible(noise_bytes(1023, 5)));
  EXPECT_FALSE(incompressible({}));
}

TEST(LooksIncompressible, ATextPartAnywhereInTheBufferKeepsItCompressible) {
  // The sample is spread over the buffer: a text quarter at the start, the
  // middle or the end shows.
  for (size_t where : {0u, 1u, 3u}) {
    std::vector<uint8_t> bytes = noise_bytes(160000, 9);
    for (size_t i = 0; i < 40000; ++i) bytes[where * 40000 + i] = static_cast<uint8_t>("abcdefgh "[i % 9]);
    EXPECT_FALSE(incompressible(bytes)) << "text in quarter " << where;
  }
}

