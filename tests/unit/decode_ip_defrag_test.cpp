// IP defragmentation: orderings, duplicates, overlaps, bad fragments, limits, timeouts.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "decode/ip.h"
#include "decode/ip_defrag.h"
#include "decode_test_builders.h"

namespace tcpflow::decode {
namespace {

using namespace test;

// One IPv4 fragment carrying `bytes` at `offset` (with a wrong header
// checksum when `corrupt`).
Bytes frag4(uint32_t offset, const Bytes& bytes, bool more, uint16_t id = 7, uint8_t proto = 6,
            IpAddress src = v4(192, 168, 1, 10), bool corrupt = false) {
  V4 spec;
  spec.corrupt_checksum = corrupt;
  spec.frag_offset = offset;
  spec.mf = more;
  spec.id = id;
  spec.protocol = proto;
  spec.src = src;
  return ipv4_packet(spec, bytes);
}

// Cuts `data` into IPv4 fragments of `size` bytes (the last may be shorter).
std::vector<Bytes> fragment4(const Bytes& data, size_t size, uint16_t id = 7) {
  std::vector<Bytes> out;
  for (size_t off = 0; off < data.size(); off += size) {
    Bytes chunk(data.begin() + off, data.begin() + std::min(data.size(), off + size));
    out.push_back(frag4(uint32_t(off), chunk, off + size < data.size(), id));
  }
  return out;
}

// One IPv6 fragment: fixed header, fragment header, `bytes`.
Bytes frag6(uint32_t offset, const Bytes& bytes, bool more, uint32_t id, uint8_t next = 6) {
  V6 spec;
  spec.next = 44;
  return ipv6_packet(spec, cat(fragment_header(next, offset, more, id), bytes));
}

struct Harness {
  explicit Harness(DefragLimits limits = {}) : defrag(limits) {}

  // Decodes `l3` and hands it to the defragmenter; true when a datagram completed.
  bool add(const Bytes& l3, Timestamp ts = {1000, 0}) {
    IpPacket fragment;
    Stats decode_stats;
    NetProto proto = (l3[0] >> 4) == 6 ? NetProto::kIPv6 : NetProto::kIPv4;
    EXPECT_EQ(decode_ip(proto, view(l3), fragment, decode_stats), IpStatus::kOk);
    EXPECT_TRUE(fragment.is_fragment);
    return defrag.add(fragment, ts, whole, stats);
  }
  Bytes payload() const { return bytes_of(whole.payload); }

  IpDefragmenter defrag;
  Stats stats;
  IpPacket whole;
};

const Bytes kData = pattern(100, 3);

TEST(IpDefrag, InOrder) {
  Harness h;
  auto frags = fragment4(kData, 32);
  ASSERT_EQ(frags.size(), 4u);
  for (size_t i = 0; i + 1 < frags.size(); ++i) EXPECT_FALSE(h.add(frags[i]));
  EXPECT_EQ(h.defrag.held_sets(), 1u);
  EXPECT_EQ(h.defrag.held_bytes(), 96u);
  ASSERT_TRUE(h.add(frags.back()));
  EXPECT_EQ(h.payload(), kData);
  EXPECT_EQ(h.whole.payload_length, 100u);
  EXPECT_EQ(h.whole.proto, NetProto::kIPv4);
  EXPECT_EQ(h.whole.src, v4(192, 168, 1, 10));
  EXPECT_EQ(h.whole.dst, v4(10, 1, 2, 3));
  EXPECT_EQ(h.whole.transport, 6);
  EXPECT_FALSE(h.whole.is_fragment);
  EXPECT_FALSE(h.whole.more_fragments);
  EXPECT_EQ(h.whole.fragment_offset, 0u);
  EXPECT_FALSE(h.whole.length_from_capture);
  EXPECT_EQ(h.stats.get(Counter::kFragments), 4u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentsReassembled), 1u);
  EXPECT_EQ(h.defrag.held_sets(), 0u);
  EXPECT_EQ(h.defrag.held_bytes(), 0u);
}

TEST(IpDefrag, Reversed) {
  Harness h;
  auto frags = fragment4(kData, 16);
  std::reverse(frags.begin(), frags.end());
  for (size_t i = 0; i + 1 < frags.size(); ++i) EXPECT_FALSE(h.add(frags[i]));
  ASSERT_TRUE(h.add(frags.back()));
  EXPECT_EQ(h.payload(), kData);
  EXPECT_EQ(h.stats.get(Counter::kFragmentOverlapConflicts), 0u);
}

TEST(IpDefrag, EveryOrderOfFourFragments) {
  auto frags = fragment4(kData, 32);
  std::vector<size_t> order(frags.size());
  std::iota(order.begin(), order.end(), 0);
  int permutations = 0;
  do {
    Harness h;
    for (size_t i = 0; i + 1 < order.size(); ++i) EXPECT_FALSE(h.add(frags[order[i]]));
    ASSERT_TRUE(h.add(frags[order.back()]));
    EXPECT_EQ(h.payload(), kData);
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 24);
}

TEST(IpDefrag, ShuffledManySmallFragments) {
  Bytes data = pattern(1500, 9);
  auto frags = fragment4(data, 8);
  std::mt19937 rng(12345);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(frags.begin(), frags.end(), rng);
    Harness h;
    for (size_t i = 0; i + 1 < frags.size(); ++i) ASSERT_FALSE(h.add(frags[i]));
    ASSERT_TRUE(h.add(frags.back()));
    EXPECT_EQ(h.payload(), data);
  }
}

TEST(IpDefrag, Duplicates) {
  Harness h;
  auto frags = fragment4(kData, 40);  // 40, 40, 20
  EXPECT_FALSE(h.add(frags[0]));
  EXPECT_FALSE(h.add(frags[1]));
  EXPECT_FALSE(h.add(frags[1]));
  EXPECT_FALSE(h.add(frags[0]));
  EXPECT_EQ(h.defrag.held_bytes(), 80u);
  ASSERT_TRUE(h.add(frags[2]));
  EXPECT_EQ(h.payload(), kData);
  EXPECT_EQ(h.stats.get(Counter::kFragments), 5u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentOverlapConflicts), 0u);
}

TEST(IpDefrag, OverlapFirstCopyWins) {
  Bytes a(16, 0xAA), b(16, 0xBB), c(6, 0xCC);
  Bytes expect_ab = cat(cat(a, Bytes(8, 0xBB)), c);                 // a first
  Bytes expect_ba = cat(cat(Bytes(8, 0xAA), b), c);                 // b first
  {
    Harness h;
    EXPECT_FALSE(h.add(frag4(0, a, true)));
    EXPECT_FALSE(h.add(frag4(8, b, true)));
    ASSERT_TRUE(h.add(frag4(24, c, false)));
    EXPECT_EQ(h.payload(), expect_ab);
    EXPECT_EQ(h.stats.get(Counter::kFragmentOverlapConflicts), 1u);
  }
  {
    Harness h;
    EXPECT_FALSE(h.add(frag4(8, b, true)));
    EXPECT_FALSE(h.add(frag4(0, a, true)));
    ASSERT_TRUE(h.add(frag4(24, c, false)));
    EXPECT_EQ(h.payload(), expect_ba);
    EXPECT_EQ(h.stats.get(Counter::kFragmentOverlapConflicts), 1u);
  }
}

TEST(IpDefrag, OverlapSpanningSeveralPiecesKeepsAllFirstBytes) {
  Harness h;
  EXPECT_FALSE(h.add(frag4(8, Bytes(8, 1), true)));
  EXPECT_FALSE(h.add(frag4(24, Bytes(8, 2), true)));
  // Covers 0..40, differs from both held pieces, fills the holes between them.
  EXPECT_FALSE(h.add(frag4(0, Bytes(40, 9), true)));
  EXPECT_EQ(h.defrag.held_bytes(), 40u);
  ASSERT_TRUE(h.add(frag4(40, Bytes(3, 4), false)));
  Bytes expect = cat(cat(cat(Bytes(8, 9), Bytes(8, 1)), cat(Bytes(8, 9), Bytes(8, 2))),
                     cat(Bytes(8, 9), Bytes(3, 4)));
  EXPECT_EQ(h.payload(), expect);
  EXPECT_EQ(h.stats.get(Counter::kFragmentOverlapConflicts), 1u);
}

TEST(IpDefrag, IdenticalOverlapIsNoConflict) {
  Harness h;
  EXPECT_FALSE(h.add(frag4(0, Bytes(kData.begin(), kData.begin() + 48), true)));
  EXPECT_FALSE(h.add(frag4(16, Bytes(kData.begin() + 16, kData.begin() + 64), true)));
  ASSERT_TRUE(h.add(frag4(64, Bytes(kData.begin() + 64, kData.end()), false)));
  EXPECT_EQ(h.payload(), kData);
  EXPECT_EQ(h.stats.get(Counter::kFragmentOverlapConflicts), 0u);
}

TEST(IpDefrag, IncompleteUntilEveryByteIsCovered) {
  Harness h;
  EXPECT_FALSE(h.add(frag4(64, Bytes(36, 1), false)));  // last first
  EXPECT_FALSE(h.add(frag4(0, Bytes(32, 2), true)));
  EXPECT_EQ(h.defrag.held_sets(), 1u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentsReassembled), 0u);
  ASSERT_TRUE(h.add(frag4(32, Bytes(32, 3), true)));
  EXPECT_EQ(h.whole.payload_length, 100u);
}

TEST(IpDefrag, ImpossibleFragments) {
  Harness h;
  EXPECT_FALSE(h.add(frag4(0, Bytes(12, 1), true)));  // non-last, not a multiple of 8
  EXPECT_EQ(h.stats.get(Counter::kFragmentsBad), 1u);
  EXPECT_EQ(h.defrag.held_sets(), 0u);
  EXPECT_FALSE(h.add(frag4(65528, Bytes(16, 1), false)));  // ends at 65544
  EXPECT_EQ(h.stats.get(Counter::kFragmentsBad), 2u);
  EXPECT_EQ(h.defrag.held_sets(), 0u);

  EXPECT_FALSE(h.add(frag4(40, Bytes(10, 1), false)));  // end 50
  EXPECT_FALSE(h.add(frag4(40, Bytes(18, 1), false)));  // a second, different end
  EXPECT_EQ(h.stats.get(Counter::kFragmentsBad), 3u);
  EXPECT_FALSE(h.add(frag4(48, Bytes(8, 1), true)));    // non-last past the end
  EXPECT_EQ(h.stats.get(Counter::kFragmentsBad), 4u);
  EXPECT_EQ(h.defrag.held_bytes(), 10u);
  EXPECT_EQ(h.stats.get(Counter::kFragments), 5u);
  ASSERT_TRUE(h.add(frag4(0, Bytes(40, 2), true)));
  EXPECT_EQ(h.whole.payload_length, 50u);
}

TEST(IpDefrag, LastFragmentBeforeHeldBytesIsBad) {
  Harness h;
  EXPECT_FALSE(h.add(frag4(32, Bytes(32, 1), true)));   // claims up to 64
  EXPECT_FALSE(h.add(frag4(40, Bytes(4, 1), false)));   // says the datagram ends at 44
  EXPECT_EQ(h.stats.get(Counter::kFragmentsBad), 1u);
  EXPECT_FALSE(h.add(frag4(64, Bytes(4, 1), false)));   // a consistent end is fine
  EXPECT_EQ(h.stats.get(Counter::kFragmentsBad), 1u);
}

TEST(IpDefrag, LastFragmentEndingAtTheLimit) {
  Harness h;
  Bytes data = pattern(65535);
  auto piece = [&](size_t from, size_t to) {
    return Bytes(data.begin() + from, data.begin() + to);
  };
  EXPECT_FALSE(h.add(frag4(65528, piece(65528, 65535), false)));
  EXPECT_EQ(h.stats.get(Counter::kFragmentsBad), 0u);
  EXPECT_FALSE(h.add(frag4(0, piece(0, 32768), true)));
  ASSERT_TRUE(h.add(frag4(32768, piece(32768, 65528), true)));
  EXPECT_EQ(h.whole.payload_length, 65535u);
  EXPECT_EQ(h.payload(), data);
}

TEST(IpDefrag, SetsAreKeyedByAddressIdAndProtocol) {
  Harness h;
  Bytes first(16, 1), last(4, 2);
  EXPECT_FALSE(h.add(frag4(0, first, true, 7, 6)));
  EXPECT_FALSE(h.add(frag4(16, last, false, 8, 6)));                          // other id
  EXPECT_FALSE(h.add(frag4(16, last, false, 7, 17)));                         // other protocol
  EXPECT_FALSE(h.add(frag4(16, last, false, 7, 6, v4(192, 168, 1, 11))));     // other source
  EXPECT_FALSE(h.add(frag6(16, last, false, 7)));                             // other version
  EXPECT_EQ(h.defrag.held_sets(), 5u);
  ASSERT_TRUE(h.add(frag4(16, last, false, 7, 6)));
  EXPECT_EQ(h.payload(), cat(first, last));
  EXPECT_EQ(h.defrag.held_sets(), 4u);
}

TEST(IpDefrag, Ipv6Fragments) {
  Harness h;
  Bytes data = pattern(300, 5);
  const uint32_t id = 0x89ABCDEF;
  EXPECT_FALSE(h.add(frag6(256, Bytes(data.begin() + 256, data.end()), false, id)));
  EXPECT_FALSE(h.add(frag6(0, Bytes(data.begin(), data.begin() + 128), true, id)));
  ASSERT_TRUE(h.add(frag6(128, Bytes(data.begin() + 128, data.begin() + 256), true, id)));
  EXPECT_EQ(h.payload(), data);
  EXPECT_EQ(h.whole.proto, NetProto::kIPv6);
  EXPECT_EQ(h.whole.src, v6(1));
  EXPECT_EQ(h.whole.dst, v6(2));
  EXPECT_EQ(h.whole.transport, 6);
  EXPECT_EQ(h.whole.fragment_id, id);
}

TEST(IpDefrag, Ipv6FragmentableLengthLimit) {
  Harness h;
  EXPECT_FALSE(h.add(frag6(65528, Bytes(16, 1), false, 1)));
  EXPECT_EQ(h.stats.get(Counter::kFragmentsBad), 1u);
}

TEST(IpDefrag, TruncatedFragmentNeverCompletes) {
  Harness h;
  Bytes cut = frag4(0, Bytes(32, 1), true);
  cut.resize(20 + 24);  // snap length cut 8 bytes off
  EXPECT_FALSE(h.add(cut));
  EXPECT_EQ(h.defrag.held_bytes(), 24u);
  EXPECT_FALSE(h.add(frag4(32, Bytes(4, 2), false)));
  EXPECT_EQ(h.stats.get(Counter::kFragmentsReassembled), 0u);
  ASSERT_TRUE(h.add(frag4(0, Bytes(32, 1), true)));  // a full copy fills the hole
  EXPECT_EQ(h.payload(), cat(Bytes(32, 1), Bytes(4, 2)));
}

TEST(IpDefrag, TimeoutDropsOldSets) {
  DefragLimits limits;
  limits.timeout_sec = 60;
  Harness h(limits);
  auto frags = fragment4(kData, 32);
  EXPECT_FALSE(h.add(frags[0], {100, 500}));
  h.defrag.expire({160, 500}, h.stats);  // exactly 60 s: not older than the timeout
  EXPECT_EQ(h.defrag.held_sets(), 1u);
  h.defrag.expire({160, 501}, h.stats);
  EXPECT_EQ(h.defrag.held_sets(), 0u);
  EXPECT_EQ(h.defrag.held_bytes(), 0u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentsTimedOut), 1u);
  // The rest arriving later cannot complete the dropped set.
  for (size_t i = 1; i < frags.size(); ++i) EXPECT_FALSE(h.add(frags[i], {161, 0}));
  EXPECT_EQ(h.stats.get(Counter::kFragmentsReassembled), 0u);
}

TEST(IpDefrag, TimeoutExpiresOldestFirstAndOnAdd) {
  Harness h;  // default 60 s
  EXPECT_FALSE(h.add(frag4(0, Bytes(8, 1), true, 1), {100, 0}));
  EXPECT_FALSE(h.add(frag4(0, Bytes(8, 1), true, 2), {110, 0}));
  EXPECT_FALSE(h.add(frag4(0, Bytes(8, 1), true, 3), {120, 0}));
  h.defrag.expire({171, 0}, h.stats);
  EXPECT_EQ(h.defrag.held_sets(), 1u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentsTimedOut), 2u);
  // Adding a fragment late in capture time expires what is due first.
  EXPECT_FALSE(h.add(frag4(8, Bytes(4, 1), false, 3), {500, 0}));
  EXPECT_EQ(h.stats.get(Counter::kFragmentsTimedOut), 3u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentsReassembled), 0u);
  EXPECT_EQ(h.defrag.held_sets(), 1u);
}

TEST(IpDefrag, ClockGoingBackwardsExpiresNothing) {
  Harness h;
  EXPECT_FALSE(h.add(frag4(0, Bytes(8, 1), true), {1000, 0}));
  h.defrag.expire({10, 0}, h.stats);
  h.defrag.expire({INT64_MIN, 0}, h.stats);
  EXPECT_EQ(h.defrag.held_sets(), 1u);
  h.defrag.expire({INT64_MAX, 0}, h.stats);
  EXPECT_EQ(h.defrag.held_sets(), 0u);
}

TEST(IpDefrag, SetLimitDropsOldest) {
  DefragLimits limits;
  limits.max_sets = 2;
  Harness h(limits);
  EXPECT_FALSE(h.add(frag4(0, Bytes(8, 1), true, 1)));
  EXPECT_FALSE(h.add(frag4(0, Bytes(8, 2), true, 2)));
  EXPECT_EQ(h.stats.get(Counter::kFragmentsOverLimit), 0u);
  EXPECT_FALSE(h.add(frag4(0, Bytes(8, 3), true, 3)));
  EXPECT_EQ(h.defrag.held_sets(), 2u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentsOverLimit), 1u);
  EXPECT_FALSE(h.add(frag4(8, Bytes(2, 1), false, 1)));  // set 1 was dropped
  EXPECT_EQ(h.stats.get(Counter::kFragmentsOverLimit), 2u);  // and its new set pushed out 2
  ASSERT_TRUE(h.add(frag4(8, Bytes(2, 3), false, 3)));
  EXPECT_EQ(h.payload(), cat(Bytes(8, 3), Bytes(2, 3)));
}

TEST(IpDefrag, ByteLimitDropsOldest) {
  DefragLimits limits;
  limits.max_bytes = 100;
  Harness h(limits);
  EXPECT_FALSE(h.add(frag4(0, Bytes(48, 1), true, 1)));
  EXPECT_FALSE(h.add(frag4(0, Bytes(48, 2), true, 2)));
  EXPECT_EQ(h.defrag.held_bytes(), 96u);
  EXPECT_FALSE(h.add(frag4(48, Bytes(8, 2), true, 2)));  // 104 > 100: set 1 goes
  EXPECT_EQ(h.stats.get(Counter::kFragmentsOverLimit), 1u);
  EXPECT_EQ(h.defrag.held_sets(), 1u);
  EXPECT_EQ(h.defrag.held_bytes(), 56u);
  ASSERT_TRUE(h.add(frag4(56, Bytes(1, 2), false, 2)));
  EXPECT_EQ(h.payload(), Bytes(57, 2));
  // A completing fragment never counts against the limit.
  EXPECT_EQ(h.stats.get(Counter::kFragmentsOverLimit), 1u);
}

TEST(IpDefrag, SingleSetLargerThanTheByteLimit) {
  DefragLimits limits;
  limits.max_bytes = 64;
  Harness h(limits);
  EXPECT_FALSE(h.add(frag4(0, Bytes(80, 1), true)));
  EXPECT_EQ(h.defrag.held_sets(), 0u);
  EXPECT_EQ(h.defrag.held_bytes(), 0u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentsOverLimit), 1u);
}

// A fragment whose header checksum is wrong is a corrupted copy: its bytes
// are used only until a good fragment covers them.
Bytes bad_frag4(uint32_t offset, const Bytes& bytes, bool more) {
  return frag4(offset, bytes, more, 7, 6, v4(192, 168, 1, 10), /*corrupt=*/true);
}

Bytes flipped(Bytes b) {
  for (auto& x : b) x ^= 0x20;
  return b;
}

Bytes slice(const Bytes& b, size_t from, size_t n) {
  return Bytes(b.begin() + from, b.begin() + from + n);
}

TEST(IpDefrag, GoodFragmentReplacesBadHeaderCopy) {
  Harness h;
  EXPECT_FALSE(h.add(bad_frag4(0, flipped(slice(kData, 0, 32)), true)));
  EXPECT_FALSE(h.add(frag4(0, slice(kData, 0, 32), true)));  // good copy after the bad one
  ASSERT_TRUE(h.add(frag4(32, slice(kData, 32, 68), false)));
  EXPECT_EQ(h.payload(), kData);
  EXPECT_FALSE(h.whole.header_checksum_bad);
  EXPECT_EQ(h.stats.get(Counter::kFragmentOverlapConflicts), 0u);  // a repair, not a conflict
}

TEST(IpDefrag, BadHeaderCopyNeverReplacesGoodBytes) {
  Harness h;
  EXPECT_FALSE(h.add(frag4(0, slice(kData, 0, 32), true)));
  EXPECT_FALSE(h.add(bad_frag4(0, flipped(slice(kData, 0, 32)), true)));
  ASSERT_TRUE(h.add(frag4(32, slice(kData, 32, 68), false)));
  EXPECT_EQ(h.payload(), kData);
  EXPECT_FALSE(h.whole.header_checksum_bad);
  EXPECT_EQ(h.stats.get(Counter::kFragmentOverlapConflicts), 0u);
}

TEST(IpDefrag, PartlyRepairedBadFragmentMarksTheDatagram) {
  Harness h;
  // A bad copy of bytes 0-47, then a good fragment of 0-31 only: 32-47 stay
  // from the corrupted copy, so the datagram is a corrupted copy too.
  EXPECT_FALSE(h.add(bad_frag4(0, flipped(slice(kData, 0, 48)), true)));
  EXPECT_FALSE(h.add(frag4(0, slice(kData, 0, 32), true)));
  ASSERT_TRUE(h.add(frag4(48, slice(kData, 48, 52), false)));
  Bytes want = kData;
  for (size_t i = 32; i < 48; ++i) want[i] ^= 0x20;
  EXPECT_EQ(h.payload(), want);
  EXPECT_TRUE(h.whole.header_checksum_bad);
}

TEST(IpDefrag, BadHeaderFragmentsCountAgainstTheByteLimit) {
  DefragLimits limits;
  limits.max_bytes = 100;
  Harness h(limits);
  // 32 payload bytes plus a 32-byte mark of which bytes are weak.
  EXPECT_FALSE(h.add(bad_frag4(0, slice(kData, 0, 32), true)));
  EXPECT_EQ(h.defrag.held_bytes(), 64u);
  EXPECT_FALSE(h.add(bad_frag4(32, slice(kData, 32, 32), true)));
  EXPECT_EQ(h.defrag.held_sets(), 0u);  // 128 > 100: dropped
  EXPECT_EQ(h.defrag.held_bytes(), 0u);
  EXPECT_EQ(h.stats.get(Counter::kFragmentsOverLimit), 1u);
}

TEST(IpDefrag, NonFragmentIsIgnored) {
  Harness h;
  IpPacket whole_packet;
  whole_packet.proto = NetProto::kIPv4;
  EXPECT_FALSE(h.defrag.add(whole_packet, {1, 0}, h.whole, h.stats));
  EXPECT_EQ(h.stats.get(Counter::kFragments), 0u);
  EXPECT_EQ(h.defrag.held_sets(), 0u);
}

}  // namespace
}  // namespace tcpflow::decode
