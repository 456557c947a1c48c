// Reassembler overlaps: first/last wins, conflict accounting, bad checksums,
// and spilling out-of-order data when memory runs out.
#include <gtest/gtest.h>

#include "reassembly/reassembler.h"
#include "tests/unit/reassembly_test_util.h"

namespace tcpflow::reassembly {
namespace {

using testing::ConsoleSink;
using testing::cut;
using testing::data_seg;
using testing::limits_with;
using testing::Piece;
using testing::random_bytes;
using testing::Rig;
using testing::seg;
using testing::syn_seg;

constexpr uint32_t kIsn = 0xfffffe00u;
constexpr uint32_t kFirst = kIsn + 1;

// A copy of `s` whose bytes in [from, to) all differ from the original.
std::vector<uint8_t> corrupt(std::vector<uint8_t> s, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) s[i] = static_cast<uint8_t>(s[i] ^ 0xa5);
  return s;
}

std::vector<uint8_t> slice(const std::vector<uint8_t>& v, size_t from, size_t to) {
  return std::vector<uint8_t>(v.begin() + static_cast<std::ptrdiff_t>(from),
                              v.begin() + static_cast<std::ptrdiff_t>(to));
}

TEST(ReassemblerOverlap, FirstWinsOverDeliveredBytes) {
  const std::vector<uint8_t> s = random_bytes(1000, 1);
  std::vector<uint8_t> g = corrupt(s, 0, 1000);
  g[507] = s[507];  // three bytes of this retransmission match
  g[508] = s[508];
  g[509] = s[509];
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 1000})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {100, 100})), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {150, 100})), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {500, 10})), AddStatus::kDuplicate);
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.conflict_count, 3u);
  EXPECT_EQ(st.conflict_bytes, 207u);
  EXPECT_EQ(st.duplicate_bytes, 3u);
  EXPECT_EQ(st.conflicts, std::vector<ByteRange>({{100, 150}, {500, 10}}));
  EXPECT_EQ(rig.sink.bytes, s);
  EXPECT_EQ(rig.sink.rewrites, 0);
}

TEST(ReassemblerOverlap, FirstWinsOverHeldBytes) {
  const std::vector<uint8_t> s = random_bytes(1200, 2);
  const std::vector<uint8_t> g = corrupt(s, 0, 1200);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 900})), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, g, {1000, 100})), AddStatus::kAccepted);  // held garbage
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {900, 300})), AddStatus::kAccepted);
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.conflict_count, 1u);
  EXPECT_EQ(st.conflict_bytes, 100u);
  EXPECT_EQ(st.conflicts, std::vector<ByteRange>({{1000, 100}}));
  EXPECT_EQ(rig.r.contiguous_end(), 1200u);
  std::vector<uint8_t> expected = s;
  std::copy(g.begin() + 1000, g.begin() + 1100, expected.begin() + 1000);
  EXPECT_EQ(rig.sink.bytes, expected);
}

TEST(ReassemblerOverlap, AdjacentExistingPiecesAreOneConflict) {
  // Two held blocks and the delivered run touch each other: one overlapped
  // range, so one conflict, whatever the storage split.
  const std::vector<uint8_t> s = random_bytes(400, 3);
  const std::vector<uint8_t> g = corrupt(s, 0, 400);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {200, 50})), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {250, 50})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {210, 80})), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.stats().conflict_count, 1u);
  EXPECT_EQ(rig.r.stats().conflicts, std::vector<ByteRange>({{210, 80}}));
  // New bytes on both sides of held data, overlapping it in the middle.
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {150, 200})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.stats().conflict_count, 2u);
  EXPECT_EQ(rig.r.stats().conflict_bytes, 180u);
  EXPECT_EQ(rig.r.stats().conflicts, std::vector<ByteRange>({{200, 100}}));
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 400})), AddStatus::kAccepted);
  std::vector<uint8_t> expected = s;
  std::copy(g.begin() + 150, g.begin() + 200, expected.begin() + 150);
  std::copy(g.begin() + 300, g.begin() + 350, expected.begin() + 300);
  EXPECT_EQ(rig.sink.bytes, expected);
  // The overlap [150, 350) with existing data differed (at both ends): one
  // more conflict, merged with the previous range it overlaps.
  EXPECT_EQ(rig.r.stats().conflict_count, 3u);
  EXPECT_EQ(rig.r.stats().conflict_bytes, 280u);
  EXPECT_EQ(rig.r.stats().duplicate_bytes, 100u);
  EXPECT_EQ(rig.r.stats().conflicts, std::vector<ByteRange>({{150, 200}}));
}

TEST(ReassemblerOverlap, LastWinsRewritesDeliveredAndHeldBytes) {
  const std::vector<uint8_t> s = random_bytes(1200, 4);
  const std::vector<uint8_t> g = corrupt(s, 0, 1200);
  Rig<> rig(ReassemblyLimits{}, OverlapPolicy::kLastWins);
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 900})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {100, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {100, 50})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {100, 50})), AddStatus::kDuplicate);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, g, {1000, 100})), AddStatus::kAccepted);  // held
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {900, 300})), AddStatus::kAccepted);
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.conflict_count, 3u);
  EXPECT_EQ(st.conflict_bytes, 250u);
  EXPECT_EQ(st.duplicate_bytes, 50u);
  EXPECT_EQ(st.conflicts, std::vector<ByteRange>({{100, 100}, {1000, 100}}));
  std::vector<uint8_t> expected = s;
  std::copy(g.begin() + 150, g.begin() + 200, expected.begin() + 150);
  EXPECT_EQ(rig.sink.bytes, expected);
}

TEST(ReassemblerOverlap, ConflictListIsCappedButCountingGoesOn) {
  const std::vector<uint8_t> s = random_bytes(6000, 5);
  const std::vector<uint8_t> g = corrupt(s, 0, 6000);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 6000})), AddStatus::kAccepted);
  for (uint64_t i = 0; i < 1500; ++i) rig.r.add(data_seg(kFirst, g, {i * 4, 2}));
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.conflict_count, 1500u);
  EXPECT_EQ(st.conflict_bytes, 3000u);
  ASSERT_EQ(st.conflicts.size(), 1000u);
  EXPECT_EQ(st.conflicts.back(), (ByteRange{999 * 4, 2}));
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(ReassemblerOverlap, ConsoleCannotCompareSoRetransmissionsAreDuplicates) {
  const std::vector<uint8_t> s = random_bytes(300, 6);
  const std::vector<uint8_t> g = corrupt(s, 0, 300);
  Rig<ConsoleSink> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 200})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {100, 200})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.stats().duplicate_bytes, 100u);
  EXPECT_EQ(rig.r.stats().conflict_count, 0u);
  std::vector<uint8_t> expected = slice(s, 0, 200);
  expected.insert(expected.end(), g.begin() + 200, g.end());
  EXPECT_EQ(rig.sink.printed, expected);
}

TEST(ReassemblerOverlap, GoodCopyReplacesBadDeliveredBytes) {
  const std::vector<uint8_t> s = random_bytes(300, 7);
  const std::vector<uint8_t> g = corrupt(s, 0, 300);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 100})), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, g, {100, 100}, /*bad=*/true)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {200, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 300u);
  // A good retransmission spanning good and bad bytes repairs only the bad ones.
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {50, 200})), AddStatus::kAccepted);
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.bad_checksum_segments, 1u);
  EXPECT_EQ(st.bad_checksum_replaced, 100u);
  EXPECT_EQ(st.conflict_count, 0u);
  EXPECT_EQ(st.duplicate_bytes, 100u);
  EXPECT_EQ(rig.sink.bytes, s);
  // Once repaired, another bad copy changes nothing and is not a conflict.
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {100, 100}, true)), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.stats().conflict_count, 0u);
  EXPECT_EQ(rig.r.stats().bad_checksum_replaced, 100u);
  EXPECT_EQ(rig.sink.bytes, s);
}

// A bad IPv4 header checksum makes a corrupted copy just like a bad TCP
// checksum: the good copy wins whether it comes before or after, and the
// corrupted copies are counted apart from the TCP ones.
TEST(ReassemblerOverlap, BadIpHeaderCopyLosesToGoodCopyBeforeAndAfter) {
  const std::vector<uint8_t> s = random_bytes(300, 17);
  const std::vector<uint8_t> g = corrupt(s, 0, 300);
  auto ip_bad = [](Segment segment) {
    segment.ip_header_bad = true;
    return segment;
  };
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(ip_bad(data_seg(kFirst, g, {0, 100}))), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 100})), AddStatus::kAccepted);  // repairs
  EXPECT_EQ(rig.r.add(ip_bad(data_seg(kFirst, g, {0, 100}))), AddStatus::kDuplicate);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {100, 200})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(ip_bad(data_seg(kFirst, g, {100, 100}))), AddStatus::kDuplicate);
  Segment ack = seg(kFirst + 300, nullptr, 0);
  ack.ip_header_bad = true;
  EXPECT_EQ(rig.r.add(ack), AddStatus::kDuplicate);
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.bad_ip_checksum_segments, 4u);  // pure ACK included, as for TCP checksums
  EXPECT_EQ(st.bad_checksum_segments, 0u);
  EXPECT_EQ(st.bad_checksum_replaced, 100u);
  EXPECT_EQ(st.conflict_count, 0u);
  rig.r.finish();
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(ReassemblerOverlap, BadIpHeaderCopyAloneIsUsed) {
  const std::vector<uint8_t> s = random_bytes(200, 18);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  Segment only = data_seg(kFirst, s, {0, 200});
  only.ip_header_bad = true;
  only.checksum_bad = true;  // both kinds of damage at once count once each
  ASSERT_EQ(rig.r.add(only), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.stats().bad_ip_checksum_segments, 1u);
  EXPECT_EQ(rig.r.stats().bad_checksum_segments, 1u);
  rig.r.finish();
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(ReassemblerOverlap, GoodCopyReplacesBadHeldBytes) {
  const std::vector<uint8_t> s = random_bytes(300, 8);
  const std::vector<uint8_t> g = corrupt(s, 0, 300);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, g, {100, 100}, true)), AddStatus::kAccepted);
  // Weak against weak: first wins, and differing bytes are a conflict.
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {150, 100}, true)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.stats().conflict_count, 1u);
  EXPECT_EQ(rig.r.stats().conflicts, std::vector<ByteRange>({{150, 50}}));
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {100, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.stats().bad_checksum_replaced, 100u);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {0, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 250u);
  // [200, 250) is still weak (identical bytes); a good copy takes it over.
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {200, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.stats().bad_checksum_replaced, 150u);
  EXPECT_EQ(rig.r.stats().bad_checksum_segments, 2u);
  EXPECT_EQ(rig.r.stats().conflict_count, 1u);
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(ReassemblerOverlap, OnlyBadChecksumsStillMakeTheStream) {
  // Checksum offload: every segment of a direction fails verification.
  const std::vector<uint8_t> s = random_bytes(20000, 9);
  std::vector<Piece> pieces = cut(s.size(), 9, 2, 1460);
  std::mt19937 rng(9);
  std::shuffle(pieces.begin(), pieces.end(), rng);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  for (const Piece& p : pieces) rig.r.add(data_seg(kFirst, s, p, true));
  EXPECT_EQ(rig.r.contiguous_end(), s.size());
  EXPECT_EQ(rig.r.stats().bad_checksum_segments, pieces.size());
  EXPECT_EQ(rig.r.stats().conflict_count, 0u);
  EXPECT_EQ(rig.sink.bytes, s);
  // The whole stream is one weak range: one good copy repairs all of it.
  const int writes = rig.sink.writes;
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {0, s.size()})), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.stats().bad_checksum_replaced, s.size());
  EXPECT_EQ(rig.sink.writes, writes);  // same bytes: nothing to rewrite
  rig.r.finish();
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(ReassemblerOverlap, BadCopyNeverBeatsGoodBytes) {
  const std::vector<uint8_t> s = random_bytes(200, 10);
  std::vector<uint8_t> g = corrupt(s, 0, 200);
  for (size_t i = 0; i < 200; i += 10) g[i] = s[i];  // 20 bytes happen to match
  Rig<> rig(ReassemblyLimits{}, OverlapPolicy::kLastWins);
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {0, 100})), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {150, 50})), AddStatus::kAccepted);  // held
  EXPECT_EQ(rig.r.add(data_seg(kFirst, g, {0, 200}, true)), AddStatus::kAccepted);
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.duplicate_bytes, 15u);
  EXPECT_EQ(st.conflict_count, 0u);
  EXPECT_EQ(st.conflict_bytes, 0u);
  std::vector<uint8_t> expected = s;
  std::copy(g.begin() + 100, g.begin() + 150, expected.begin() + 100);
  EXPECT_EQ(rig.sink.bytes, expected);  // only the hole took the bad bytes
}

TEST(ReassemblerOverlap, TinyFlowLimitSpills) {
  const std::vector<uint8_t> s = random_bytes(400, 11);
  Rig<> rig(limits_with(16 << 20, UINT64_MAX, 100));
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {100, 60})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {200, 60})), AddStatus::kAccepted);  // 120 > 100
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {300, 40})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.held_bytes(), 100u);
  EXPECT_EQ(rig.r.stats().spilled_blocks, 1u);
  EXPECT_EQ(rig.r.highest_end(), 340u);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {0, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 160u);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {160, 40})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 260u);  // runs through the spilled block
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {260, 140})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 400u);
  EXPECT_EQ(rig.r.held_bytes(), 0u);
  EXPECT_EQ(rig.budget.used(), 0u);
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(ReassemblerOverlap, SpilledBytesAreComparedThroughTheSink) {
  const std::vector<uint8_t> s = random_bytes(300, 12);
  const std::vector<uint8_t> g = corrupt(s, 0, 300);
  Rig<> rig(limits_with(16 << 20, UINT64_MAX, 0));
  ASSERT_EQ(rig.r.add(syn_seg(kIsn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, g, {100, 100})), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(kFirst, s, {250, 50}, true)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.stats().spilled_blocks, 2u);
  EXPECT_EQ(rig.r.add(data_seg(kFirst, s, {0, 300})), AddStatus::kAccepted);
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.conflict_count, 1u);
  EXPECT_EQ(st.conflicts, std::vector<ByteRange>({{100, 100}}));
  EXPECT_EQ(st.bad_checksum_replaced, 50u);
  EXPECT_EQ(rig.r.contiguous_end(), 300u);
  std::vector<uint8_t> expected = s;
  std::copy(g.begin() + 100, g.begin() + 200, expected.begin() + 100);
  EXPECT_EQ(rig.sink.bytes, expected);
}

TEST(ReassemblerOverlap, SharedBudgetSpillsAndIsReleased) {
  const std::vector<uint8_t> s = random_bytes(20000, 13);
  MemoryBudget budget(3000);
  testing::VectorSink sink_a, sink_b;
  Reassembler a(sink_a, ReassemblyLimits{}, OverlapPolicy::kFirstWins, budget);
  Reassembler b(sink_b, ReassemblyLimits{}, OverlapPolicy::kFirstWins, budget);
  std::vector<Piece> pieces = cut(s.size(), 13, 2, 1460);
  std::mt19937 rng(13);
  std::shuffle(pieces.begin(), pieces.end(), rng);
  a.add(syn_seg(kIsn));
  b.add(syn_seg(0));
  for (const Piece& p : pieces) {
    a.add(data_seg(kFirst, s, p));
    b.add(data_seg(1, s, p));
    ASSERT_LE(budget.used(), 3000u);
    ASSERT_EQ(budget.used(), a.held_bytes() + b.held_bytes());
  }
  EXPECT_GT(budget.refusals(), 0u);
  EXPECT_GT(a.stats().spilled_blocks + b.stats().spilled_blocks, 0u);
  a.finish();
  b.finish();
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(sink_a.bytes, s);
  EXPECT_EQ(sink_b.bytes, s);
  EXPECT_TRUE(a.stats().gaps.empty());
  EXPECT_TRUE(b.stats().gaps.empty());
}

}  // namespace
}  // namespace tcpflow::reassembly
