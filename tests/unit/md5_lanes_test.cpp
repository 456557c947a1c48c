// Md5Stream and Md5Lanes against RFC 1321's test suite and OpenSSL's MD5,
// with the AVX2 lanes and without.
#include "util/md5_lanes.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "util/md5.h"

namespace tcpflow {
namespace {

ByteView view_of(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string evp_md5(const std::vector<uint8_t>& bytes) {
  Md5 md5;
  md5.update(ByteView(bytes.data(), bytes.size()));
  return md5.hex_digest();
}

TEST(Md5Stream, RfcTestSuite) {
  const std::vector<std::pair<std::string, std::string>> suite = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& [text, digest] : suite) {
    Md5Stream whole;
    whole.update(view_of(text));
    EXPECT_EQ(whole.hex_digest(), digest) << text;
    Md5Stream bytewise;  // a byte at a time: every tail path
    for (char c : text) bytewise.update(view_of(std::string(1, c)));
    EXPECT_EQ(bytewise.hex_digest(), digest) << text;
  }
}

// Every length around the padding boundaries, against OpenSSL.
TEST(Md5Stream, LengthsAroundBlockEdgesMatchOpenSsl) {
  std::mt19937 random(7);
  for (size_t length = 0; length <= 200; ++length) {
    std::vector<uint8_t> bytes(length);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(random());
    Md5Stream stream;
    stream.update(ByteView(bytes.data(), bytes.size()));
    EXPECT_EQ(stream.length(), length);
    EXPECT_EQ(stream.hex_digest(), evp_md5(bytes)) << length;
  }
}

// Many streams of mixed lengths, queued piece by piece in an interleaved
// order with several drains between, some pieces hashed at once instead:
// each digest is OpenSSL's.
void check_lanes(bool simd, uint32_t seed) {
  std::mt19937 random(seed);
  const size_t kStreams = 37;
  std::vector<std::vector<uint8_t>> contents(kStreams);
  for (size_t i = 0; i < kStreams; ++i) {
    const size_t length = i % 5 == 0   ? random() % 70
                          : i % 5 == 1 ? 64 * (random() % 40)
                                       : random() % 300000;
    contents[i].resize(length);
    for (uint8_t& b : contents[i]) b = static_cast<uint8_t>(random());
  }
  std::vector<std::unique_ptr<Md5Stream>> streams;
  for (size_t i = 0; i < kStreams; ++i) streams.push_back(std::make_unique<Md5Stream>());
  std::vector<size_t> taken(kStreams, 0);
  Md5Lanes lanes(simd);
  EXPECT_EQ(lanes.simd(), simd && __builtin_cpu_supports("avx2") != 0);
  for (bool left = true; left;) {
    left = false;
    for (size_t i = 0; i < kStreams; ++i) {
      const size_t rest = contents[i].size() - taken[i];
      if (rest == 0) continue;
      left = true;
      const size_t piece = std::min<size_t>(rest, random() % 3 == 0 ? random() % 100 + 1
                                                                    : random() % 40000 + 1);
      ByteView bytes(contents[i].data() + taken[i], piece);
      if (random() % 11 == 0) {
        lanes.drain();  // the stream's queued bytes first
        streams[i]->update(bytes);
      } else {
        lanes.add(*streams[i], bytes);
      }
      taken[i] += piece;
    }
    if (random() % 4 == 0) lanes.drain();
  }
  lanes.drain();
  EXPECT_EQ(lanes.streams(), 0u);
  for (size_t i = 0; i < kStreams; ++i) {
    EXPECT_EQ(streams[i]->length(), contents[i].size()) << i;
    EXPECT_EQ(streams[i]->hex_digest(), evp_md5(contents[i])) << "stream " << i;
  }
}

TEST(Md5Lanes, EightAbreastMatchesOpenSsl) {
  for (uint32_t seed = 1; seed <= 4; ++seed) check_lanes(true, seed);
}

TEST(Md5Lanes, OneByOneMatchesOpenSsl) { check_lanes(false, 5); }

// One stream queued many times (a single lane) and streams with nothing
// but ragged pieces (no whole block at all).
TEST(Md5Lanes, SingleStreamAndRaggedPieces) {
  std::vector<uint8_t> bytes(100000);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 7 + 3);
  Md5Lanes lanes;
  Md5Stream one;
  for (size_t at = 0; at < bytes.size(); at += 1000) lanes.add(one, ByteView(&bytes[at], 1000));
  EXPECT_EQ(lanes.streams(), 1u);
  lanes.drain();
  EXPECT_EQ(one.hex_digest(), evp_md5(bytes));

  std::vector<Md5Stream> ragged(10);
  for (int round = 0; round < 20; ++round) {
    for (Md5Stream& s : ragged) lanes.add(s, ByteView(bytes.data() + round * 13, 13));
  }
  EXPECT_EQ(lanes.streams(), 10u);
  lanes.drain();
  for (Md5Stream& s : ragged) {
    std::vector<uint8_t> fed;
    for (int round = 0; round < 20; ++round) {
      fed.insert(fed.end(), bytes.begin() + round * 13, bytes.begin() + round * 13 + 13);
    }
    EXPECT_EQ(s.hex_digest(), evp_md5(fed));
  }
}

}  // namespace
}  // namespace tcpflow
