// --shard: the documented hash (SipHash-2-4, canonical key bytes) and K/N parsing.
#include <gtest/gtest.h>

#include <string>

#include "flow/shard.h"
#include "util/siphash.h"

namespace tcpflow {
namespace {

SipKey counting_key() {
  SipKey key;
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
  return key;
}

// The reference vectors of the SipHash paper (key 00..0f, message 00..len-1).
TEST(SipHash, PublishedVectors) {
  uint8_t message[64];
  for (size_t i = 0; i < sizeof message; ++i) message[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(siphash24(counting_key(), message, 0), 0x726fdb47dd0e0e31ull);
  EXPECT_EQ(siphash24(counting_key(), message, 15), 0xa129ca6149be45e5ull);
  // Whole blocks and every tail length differ from one another.
  uint64_t previous = 0;
  for (size_t length = 1; length <= 17; ++length) {
    uint64_t h = siphash24(counting_key(), message, length);
    EXPECT_NE(h, previous) << length;
    previous = h;
  }
}

decode::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress ip;
  ip.family = 4;
  ip.bytes[0] = a, ip.bytes[1] = b, ip.bytes[2] = c, ip.bytes[3] = d;
  return ip;
}

decode::IpAddress v6_doc(uint8_t last) {  // 2001:db8::last
  decode::IpAddress ip;
  ip.family = 6;
  ip.bytes[0] = 0x20, ip.bytes[1] = 0x01, ip.bytes[2] = 0x0d, ip.bytes[3] = 0xb8;
  ip.bytes[15] = last;
  return ip;
}

flow::FlowInfo direction(decode::IpAddress src, uint16_t sport, decode::IpAddress dst,
                         uint16_t dport, uint16_t vlan = decode::kNoVlan) {
  flow::FlowInfo info;
  info.src = src, info.src_port = sport, info.dst = dst, info.dst_port = dport, info.vlan = vlan;
  return info;
}

TEST(ShardKey, Ipv4LayoutIsDocumentedOrder) {
  uint8_t bytes[flow::kMaxCanonicalKeyBytes];
  // The higher endpoint given first: the bytes still start with the lower one.
  size_t n = flow::canonical_key_bytes(v4(10, 0, 0, 2), 80, v4(10, 0, 0, 1), 1234,
                                       decode::kNoVlan, bytes);
  const uint8_t want[] = {4, 0xff, 0xff, 10, 0, 0, 1, 0x04, 0xd2, 10, 0, 0, 2, 0, 80};
  ASSERT_EQ(n, sizeof want);
  EXPECT_EQ(std::string(bytes, bytes + n), std::string(want, want + sizeof want));
}

TEST(ShardKey, SameAddressOrdersByPort) {
  uint8_t bytes[flow::kMaxCanonicalKeyBytes];
  size_t n = flow::canonical_key_bytes(v4(1, 2, 3, 4), 9000, v4(1, 2, 3, 4), 22, 7, bytes);
  const uint8_t want[] = {4, 0, 7, 1, 2, 3, 4, 0, 22, 1, 2, 3, 4, 0x23, 0x28};
  ASSERT_EQ(n, sizeof want);
  EXPECT_EQ(std::string(bytes, bytes + n), std::string(want, want + sizeof want));
}

// Values from an independent implementation (Python, tests/shard/shardhash.py),
// so a build on another platform that disagrees fails here.
TEST(ShardKey, HashValuesAreFixed) {
  flow::FlowInfo a = direction(v4(10, 0, 0, 1), 1234, v4(10, 0, 0, 2), 80);
  EXPECT_EQ(flow::shard_hash(a), 0x5b15489dfe978426ull);
  flow::FlowInfo b = direction(v6_doc(2), 50000, v6_doc(1), 443, 42);
  EXPECT_EQ(flow::shard_hash(b), 0x4c7a8f08d410667aull);
}

TEST(ShardKey, BothDirectionsAgree) {
  for (uint16_t port = 1000; port < 1100; ++port) {
    flow::FlowInfo out = direction(v4(192, 168, 1, 5), port, v4(10, 9, 8, 7), 443, 12);
    flow::FlowInfo back = direction(v4(10, 9, 8, 7), 443, v4(192, 168, 1, 5), port, 12);
    EXPECT_EQ(flow::shard_hash(out), flow::shard_hash(back));
  }
}

TEST(ShardKey, VlanAndFamilyChangeTheHash) {
  flow::FlowInfo plain = direction(v4(10, 0, 0, 1), 1234, v4(10, 0, 0, 2), 80);
  flow::FlowInfo tagged = direction(v4(10, 0, 0, 1), 1234, v4(10, 0, 0, 2), 80, 0);
  EXPECT_NE(flow::shard_hash(plain), flow::shard_hash(tagged));
}

TEST(ShardKey, SharesAreDisjointAndRoughlyEven) {
  constexpr uint32_t kShards = 7;
  uint32_t per_shard[kShards] = {};
  for (uint32_t i = 0; i < 7000; ++i) {
    flow::FlowInfo info = direction(v4(10, 0, static_cast<uint8_t>(i >> 8),
                                       static_cast<uint8_t>(i)),
                                    static_cast<uint16_t>(40000 + i % 50), v4(10, 1, 0, 1), 80);
    uint32_t owners = 0;
    for (uint32_t k = 0; k < kShards; ++k) {
      if (flow::shard_keeps(flow::ShardSpec{k, kShards}, info)) {
        ++owners;
        ++per_shard[k];
      }
    }
    EXPECT_EQ(owners, 1u);
  }
  for (uint32_t count : per_shard) {
    EXPECT_GT(count, 850u);
    EXPECT_LT(count, 1150u);
  }
  EXPECT_TRUE(flow::shard_keeps(flow::ShardSpec{}, direction(v4(1, 1, 1, 1), 1, v4(2, 2, 2, 2), 2)));
}

TEST(ShardSpec, ParsesAndRejects) {
  std::string error;
  auto spec = flow::parse_shard_spec("3/7", error);
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->index, 3u);
  EXPECT_EQ(spec->count, 7u);
  EXPECT_EQ(spec->label(), "3-of-7");
  for (const char* bad : {"3/3", "x", "1/", "/2", "-1/2", "1/0", "0/2x", "0 /2", "1/2/3",
                          "99999999999/2", ""}) {
    error.clear();
    EXPECT_FALSE(flow::parse_shard_spec(bad, error)) << bad;
    EXPECT_NE(error.find("--shard"), std::string::npos) << bad;
  }
  flow::parse_shard_spec("3/3", error);
  EXPECT_NE(error.find("K must be below N"), std::string::npos);
}

}  // namespace
}  // namespace tcpflow
