// Reassembler: stream start, SYN handling, shifts, jumps, -b, holes, FIN.
#include "reassembly/reassembler.h"

#include <gtest/gtest.h>

#include "tests/unit/reassembly_test_util.h"

namespace tcpflow::reassembly {
namespace {

using testing::ConsoleSink;
using testing::cut;
using testing::data_seg;
using testing::kAck;
using testing::kFin;
using testing::kSyn;
using testing::limits_with;
using testing::Piece;
using testing::random_bytes;
using testing::Rig;
using testing::seg;
using testing::syn_seg;

// The peer acknowledges `seq` two seconds after the first segment: the
// midstream hold window has run out, so what follows still shifts a stream.
void close_hold(Reassembler& r, uint32_t seq) {
  r.peer_acknowledged(seq, Timestamp{1700000002, 0});
  EXPECT_FALSE(r.holding());
}

std::vector<uint8_t> slice(const std::vector<uint8_t>& v, size_t from, size_t to) {
  return std::vector<uint8_t>(v.begin() + static_cast<std::ptrdiff_t>(from),
                              v.begin() + static_cast<std::ptrdiff_t>(to));
}

TEST(Reassembler, PureAckBeforeAnythingDoesNotStart) {
  Rig<> rig;
  EXPECT_EQ(rig.r.add(seg(5, nullptr, 0, kAck)), AddStatus::kDuplicate);
  EXPECT_FALSE(rig.r.started());
  EXPECT_EQ(rig.r.stats().segments, 0u);
}

TEST(Reassembler, DataOnTheSynStartsAtOffsetZero) {
  const std::vector<uint8_t> s = random_bytes(30, 1);
  Rig<> rig;
  EXPECT_EQ(rig.r.add(seg(1000, s.data(), 10, kSyn)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.syn_seen());
  EXPECT_EQ(rig.r.isn(), 1000u);
  EXPECT_EQ(rig.r.add(seg(1011, s.data() + 10, 20)), AddStatus::kAccepted);
  EXPECT_EQ(rig.sink.bytes, s);
  // A retransmitted SYN with the same data is a duplicate.
  EXPECT_EQ(rig.r.add(seg(1000, s.data(), 10, kSyn)), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.add(syn_seg(1000)), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.stats().duplicate_bytes, 10u);
  EXPECT_EQ(rig.r.contiguous_end(), 30u);
}

TEST(Reassembler, LateSynShiftsTheStream) {
  const std::vector<uint8_t> s = random_bytes(300, 2);
  const uint32_t isn = 0xfffffff0u;  // the stream wraps
  Rig<> rig;
  EXPECT_EQ(rig.r.add(data_seg(isn + 1, s, {100, 100})), AddStatus::kAccepted);
  close_hold(rig.r, isn + 1 + 100);
  EXPECT_EQ(rig.r.add(data_seg(isn + 1, s, {250, 50})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.held_bytes(), 50u);
  EXPECT_EQ(rig.r.add(syn_seg(isn)), AddStatus::kAccepted);
  EXPECT_EQ(rig.sink.shifts, std::vector<uint64_t>({100}));
  EXPECT_EQ(rig.r.contiguous_end(), 0u);
  EXPECT_EQ(rig.r.highest_end(), 300u);
  EXPECT_EQ(rig.r.isn(), isn);
  EXPECT_EQ(rig.r.start_seq(), isn + 1);
  EXPECT_EQ(rig.r.add(data_seg(isn + 1, s, {0, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 200u);
  EXPECT_EQ(rig.r.add(data_seg(isn + 1, s, {200, 50})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 300u);
  rig.r.finish();
  EXPECT_EQ(rig.sink.bytes, s);
  EXPECT_TRUE(rig.r.stats().gaps.empty());
}

TEST(Reassembler, LateSynWithDataShifts) {
  const std::vector<uint8_t> s = random_bytes(60, 3);
  Rig<> rig;
  EXPECT_EQ(rig.r.add(seg(511, s.data() + 10, 50)), AddStatus::kAccepted);
  close_hold(rig.r, 511);
  EXPECT_EQ(rig.r.add(seg(500, s.data(), 10, kSyn)), AddStatus::kAccepted);
  EXPECT_EQ(rig.sink.shifts, std::vector<uint64_t>({10}));
  EXPECT_EQ(rig.r.contiguous_end(), 60u);
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(Reassembler, LateSynFartherThanMaxSeekKeepsTheStart) {
  const std::vector<uint8_t> s = random_bytes(100, 4);
  Rig<> rig(limits_with(1000));
  EXPECT_EQ(rig.r.add(seg(5000, s.data(), 100)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(syn_seg(3998)), AddStatus::kAccepted);  // ISN+1 is 1001 below
  EXPECT_TRUE(rig.r.syn_seen());
  EXPECT_TRUE(rig.sink.shifts.empty());
  // Now data before the kept start is trimmed, not shifted.
  EXPECT_EQ(rig.r.add(seg(4990, s.data(), 10)), AddStatus::kBeforeStart);
  EXPECT_EQ(rig.r.stats().before_start_segments, 1u);
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(Reassembler, SynlessLowerSequenceShifts) {
  const std::vector<uint8_t> s = random_bytes(1000, 5);
  Rig<> rig;
  const uint32_t base = 0xffffff00u;
  EXPECT_EQ(rig.r.add(data_seg(base, s, {500, 500})), AddStatus::kAccepted);
  close_hold(rig.r, base + 500);
  EXPECT_EQ(rig.r.add(data_seg(base, s, {200, 300})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(base, s, {0, 150})), AddStatus::kAccepted);
  EXPECT_EQ(rig.sink.shifts, std::vector<uint64_t>({300, 200}));
  EXPECT_EQ(rig.r.start_seq(), base);
  EXPECT_EQ(rig.r.contiguous_end(), 150u);
  EXPECT_EQ(rig.r.add(data_seg(base, s, {150, 50})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 1000u);
  EXPECT_EQ(rig.sink.bytes, s);
  EXPECT_EQ(rig.r.stats().before_start_segments, 0u);
}

TEST(Reassembler, ConsoleRefusingShiftKeepsTheStart) {
  const std::vector<uint8_t> s = random_bytes(1000, 6);
  Rig<ConsoleSink> rig;
  EXPECT_EQ(rig.r.add(data_seg(7000, s, {500, 500})), AddStatus::kAccepted);
  close_hold(rig.r, 7500);
  // Overlaps the start: the part before it is dropped, the rest is a duplicate.
  EXPECT_EQ(rig.r.add(data_seg(7000, s, {200, 400})), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.add(data_seg(7000, s, {100, 100})), AddStatus::kBeforeStart);
  EXPECT_EQ(rig.sink.shift_requests, 2);
  EXPECT_EQ(rig.r.start_seq(), 7500u);
  EXPECT_EQ(rig.r.stats().before_start_segments, 1u);
  EXPECT_EQ(rig.r.stats().duplicate_bytes, 100u);
  EXPECT_EQ(rig.sink.printed, slice(s, 500, 1000));
  EXPECT_EQ(rig.r.contiguous_end(), 500u);
}

TEST(Reassembler, ShiftBeforeAnythingReachedTheSinkNeedsNoSink) {
  // With -b 0 nothing is ever written, so even a console can rebase.
  const std::vector<uint8_t> s = random_bytes(100, 7);
  Rig<ConsoleSink> rig(limits_with(16 << 20, 0));
  EXPECT_EQ(rig.r.add(data_seg(100, s, {50, 50})), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.add(data_seg(100, s, {0, 50})), AddStatus::kDuplicate);
  EXPECT_EQ(rig.sink.shift_requests, 0);
  EXPECT_EQ(rig.r.stats().capped_bytes, 100u);
  EXPECT_EQ(rig.r.stats().before_start_segments, 0u);
}

TEST(Reassembler, DataBeforeIsnPlusOneAfterSyn) {
  const std::vector<uint8_t> s = random_bytes(100, 8);
  Rig<> rig;
  const uint32_t isn = 1;  // ISN+1 = 2: the segment below wraps to 2^32 - 48
  ASSERT_EQ(rig.r.add(syn_seg(isn)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(isn + 1, s, {0, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(seg(isn - 50, s.data(), 30)), AddStatus::kBeforeStart);
  EXPECT_EQ(rig.r.add(seg(isn, s.data(), 1)), AddStatus::kBeforeStart);  // the SYN's own number
  // Straddles ISN+1: the first 10 bytes are trimmed, the rest match.
  std::vector<uint8_t> straddle(20, 0xee);
  std::copy(s.begin(), s.begin() + 10, straddle.begin() + 10);
  EXPECT_EQ(rig.r.add(seg(isn + 1 - 10, straddle.data(), 20)), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.stats().before_start_segments, 2u);
  EXPECT_EQ(rig.r.stats().duplicate_bytes, 10u);
  EXPECT_EQ(rig.r.stats().conflict_count, 0u);
  EXPECT_TRUE(rig.sink.shifts.empty());
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(Reassembler, JumpForwardChangesNothing) {
  const std::vector<uint8_t> s = random_bytes(100, 9);
  Rig<> rig(limits_with(1000));
  ASSERT_EQ(rig.r.add(syn_seg(0)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(1, s, {0, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(seg(1 + 1101, s.data(), 10)), AddStatus::kJump);
  EXPECT_EQ(rig.r.add(seg(1 + 1101, nullptr, 0, kFin | kAck)), AddStatus::kJump);
  EXPECT_EQ(rig.r.stats().segments, 1u);
  EXPECT_EQ(rig.r.stats().payload_bytes, 100u);
  EXPECT_EQ(rig.r.highest_end(), 100u);
  EXPECT_EQ(rig.r.held_bytes(), 0u);
  EXPECT_FALSE(rig.r.fin_seen());
  // Exactly max_seek past the end is still this stream.
  EXPECT_EQ(rig.r.add(seg(1 + 1100, s.data(), 10)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.highest_end(), 1110u);
  EXPECT_EQ(rig.r.held_bytes(), 10u);
}

TEST(Reassembler, JumpBackwardChangesNothing) {
  const std::vector<uint8_t> s = random_bytes(3000, 10);
  Rig<> rig(limits_with(1000));
  ASSERT_EQ(rig.r.add(syn_seg(0xfffffff0u)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(0xfffffff1u, s, {0, 3000})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(0xfffffff1u, s, {1000, 999})), AddStatus::kJump);
  EXPECT_EQ(rig.r.stats().duplicate_bytes, 0u);
  EXPECT_EQ(rig.r.stats().segments, 1u);
  EXPECT_EQ(rig.r.add(data_seg(0xfffffff1u, s, {1000, 1000})), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.stats().duplicate_bytes, 1000u);
}

TEST(Reassembler, SynlessFarBelowStartJumps) {
  const std::vector<uint8_t> s = random_bytes(1010, 11);
  Rig<> rig(limits_with(1000));
  ASSERT_EQ(rig.r.add(data_seg(100, s, {1000, 5})), AddStatus::kAccepted);
  close_hold(rig.r, 1100);
  EXPECT_EQ(rig.r.add(seg(99, s.data(), 10)), AddStatus::kJump);  // 1001 below the start
  EXPECT_TRUE(rig.sink.shifts.empty());
  EXPECT_EQ(rig.r.add(data_seg(100, s, {0, 10})), AddStatus::kAccepted);  // exactly 1000 below
  EXPECT_EQ(rig.sink.shifts, std::vector<uint64_t>({1000}));
  rig.r.finish();
  EXPECT_EQ(rig.r.stats().gaps, std::vector<ByteRange>({{10, 990}}));
  EXPECT_EQ(slice(rig.sink.bytes, 0, 10), slice(s, 0, 10));
  EXPECT_EQ(slice(rig.sink.bytes, 1000, 1005), slice(s, 1000, 1005));
  EXPECT_EQ(rig.sink.bytes.size(), 1005u);
}

TEST(Reassembler, MaxStoredCapsEveryDirection) {
  const std::vector<uint8_t> s = random_bytes(3000, 12);
  for (bool shuffled : {false, true}) {
    Rig<> rig(limits_with(16 << 20, 1000));
    ASSERT_EQ(rig.r.add(syn_seg(77)), AddStatus::kAccepted);
    std::vector<Piece> pieces = cut(3000, 12, 300, 300);
    if (shuffled) std::reverse(pieces.begin(), pieces.end());
    for (const Piece& p : pieces) rig.r.add(data_seg(78, s, p));
    ASSERT_EQ(rig.r.add(seg(78 + 3000, nullptr, 0, kFin | kAck)), AddStatus::kAccepted);
    EXPECT_EQ(rig.r.stats().capped_bytes, 2000u);
    EXPECT_EQ(rig.r.highest_end(), 1000u);
    EXPECT_EQ(rig.r.contiguous_end(), 1000u);
    EXPECT_TRUE(rig.r.fin_complete());
    // A retransmission past the cap is capped again.
    EXPECT_EQ(rig.r.add(data_seg(78, s, {2700, 300})), AddStatus::kDuplicate);
    EXPECT_EQ(rig.r.stats().capped_bytes, 2300u);
    rig.r.finish();
    EXPECT_EQ(rig.sink.bytes, slice(s, 0, 1000));
    EXPECT_TRUE(rig.r.stats().gaps.empty());
  }
}

TEST(Reassembler, PermanentHolesBecomeGaps) {
  const std::vector<uint8_t> s = random_bytes(450, 13);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(0xffffffffu)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(0, s, {400, 50})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(0, s, {200, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(0, s, {0, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.contiguous_end(), 100u);
  EXPECT_EQ(rig.r.highest_end(), 450u);
  EXPECT_EQ(rig.r.held_bytes(), 150u);
  EXPECT_EQ(rig.budget.used(), 150u);
  rig.r.finish();
  EXPECT_EQ(rig.r.held_bytes(), 0u);
  EXPECT_EQ(rig.budget.used(), 0u);
  EXPECT_EQ(rig.r.stats().gaps, std::vector<ByteRange>({{100, 100}, {300, 100}}));
  ASSERT_EQ(rig.sink.bytes.size(), 450u);
  EXPECT_EQ(slice(rig.sink.bytes, 0, 100), slice(s, 0, 100));
  EXPECT_EQ(slice(rig.sink.bytes, 200, 300), slice(s, 200, 300));
  EXPECT_EQ(slice(rig.sink.bytes, 400, 450), slice(s, 400, 450));
  EXPECT_FALSE(rig.sink.written[100]);  // holes are never written
  EXPECT_FALSE(rig.sink.written[399]);
  EXPECT_TRUE(rig.r.finished());
  EXPECT_EQ(rig.r.add(data_seg(0, s, {100, 100})), AddStatus::kDuplicate);  // after finish
  rig.r.finish();                                                           // idempotent
  EXPECT_EQ(rig.r.stats().gaps.size(), 2u);
}

// Given the flow record's counts, the reassembler counts there, so a flow
// does not keep them twice; the figures are the same as its own.
TEST(Reassembler, CountsIntoTheStatsItIsGiven) {
  const std::vector<uint8_t> s = random_bytes(450, 13);
  Rig<> own;
  ConsoleSink sink;
  MemoryBudget budget(UINT64_MAX);
  ReassemblyStats record;
  Reassembler given(sink, {}, OverlapPolicy::kFirstWins, budget, &record);
  for (Reassembler* r : {&own.r, &given}) {
    r->add(syn_seg(0xffffffffu));
    r->add(data_seg(0, s, {400, 50}));
    r->add(data_seg(0, s, {0, 100}));
    r->add(data_seg(0, s, {0, 100}));
    r->finish();
  }
  EXPECT_EQ(&given.stats(), &record);
  EXPECT_EQ(record.segments, 3u);
  EXPECT_EQ(record.duplicate_bytes, 100u);
  EXPECT_EQ(record.gaps, std::vector<ByteRange>({{100, 300}}));
  EXPECT_EQ(own.r.stats().segments, record.segments);
  EXPECT_EQ(own.r.stats().duplicate_bytes, record.duplicate_bytes);
  EXPECT_EQ(own.r.stats().gaps, record.gaps);
}

TEST(Reassembler, HoleAtTheStartAfterSyn) {
  const std::vector<uint8_t> s = random_bytes(100, 14);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(9)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(10, s, {50, 50})), AddStatus::kAccepted);
  rig.r.finish();
  EXPECT_EQ(rig.r.stats().gaps, std::vector<ByteRange>({{0, 50}}));
  EXPECT_EQ(slice(rig.sink.bytes, 50, 100), slice(s, 50, 100));
}

TEST(Reassembler, KeepaliveProbesAreIgnored) {
  const std::vector<uint8_t> s = random_bytes(100, 15);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(1000)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(1001, s, {0, 100})), AddStatus::kAccepted);
  const uint8_t garbage = static_cast<uint8_t>(s[99] ^ 0xff);
  EXPECT_EQ(rig.r.add(seg(1001 + 99, &garbage, 1)), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.add(seg(1001 + 99, s.data() + 99, 1)), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.add(seg(1001 + 99, nullptr, 0)), AddStatus::kDuplicate);
  const ReassemblyStats& st = rig.r.stats();
  EXPECT_EQ(st.conflict_count, 0u);
  EXPECT_EQ(st.duplicate_bytes, 0u);
  EXPECT_EQ(st.segments, 3u);
  EXPECT_EQ(st.payload_bytes, 102u);
  EXPECT_EQ(rig.sink.writes, 1);
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(Reassembler, FinCompleteWaitsForEveryByte) {
  const std::vector<uint8_t> s = random_bytes(300, 16);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(50)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.add(data_seg(51, s, {100, 100})), AddStatus::kAccepted);
  Segment last = data_seg(51, s, {200, 100});
  last.flags = kFin | kAck;
  EXPECT_EQ(rig.r.add(last), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.fin_seen());
  EXPECT_FALSE(rig.r.fin_complete());
  EXPECT_EQ(rig.r.add(data_seg(51, s, {0, 100})), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.fin_complete());
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(Reassembler, BareFinAfterTheData) {
  const std::vector<uint8_t> s = random_bytes(10, 17);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(data_seg(500, s, {0, 10})), AddStatus::kAccepted);
  EXPECT_FALSE(rig.r.fin_complete());
  EXPECT_EQ(rig.r.add(seg(510, nullptr, 0, kFin | kAck)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.fin_complete());
  EXPECT_EQ(rig.r.add(seg(510, nullptr, 0, kFin | kAck)), AddStatus::kDuplicate);
}

TEST(Reassembler, ShiftMovesHeldBlocksFinAndConflicts) {
  const std::vector<uint8_t> s = random_bytes(400, 18);
  std::vector<uint8_t> bad = s;
  for (size_t i = 150; i < 160; ++i) bad[i] ^= 0x5a;
  Rig<> rig;
  const uint32_t base = 0xffffffc0u;
  ASSERT_EQ(rig.r.add(data_seg(base, s, {100, 100})), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(base, s, {300, 100})), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(data_seg(base, bad, {150, 10})), AddStatus::kDuplicate);
  ASSERT_EQ(rig.r.add(seg(base + 400, nullptr, 0, kFin | kAck)), AddStatus::kAccepted);
  EXPECT_EQ(rig.r.stats().conflicts, std::vector<ByteRange>({{50, 10}}));
  ASSERT_EQ(rig.r.add(data_seg(base, s, {0, 100})), AddStatus::kAccepted);
  EXPECT_EQ(rig.sink.shifts, std::vector<uint64_t>({100}));
  EXPECT_EQ(rig.r.stats().conflicts, std::vector<ByteRange>({{150, 10}}));
  EXPECT_EQ(rig.r.contiguous_end(), 200u);
  EXPECT_EQ(rig.r.held_bytes(), 100u);
  EXPECT_FALSE(rig.r.fin_complete());
  ASSERT_EQ(rig.r.add(data_seg(base, s, {200, 100})), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.fin_complete());
  EXPECT_EQ(rig.r.held_bytes(), 0u);
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(Reassembler, DestructorReleasesTheSharedBudget) {
  const std::vector<uint8_t> s = random_bytes(100, 19);
  MemoryBudget budget(1000);
  {
    testing::VectorSink sink;
    Reassembler r(sink, ReassemblyLimits{}, OverlapPolicy::kFirstWins, budget);
    r.add(syn_seg(0));
    r.add(data_seg(1, s, {50, 50}));
    EXPECT_EQ(budget.used(), 50u);
  }
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace tcpflow::reassembly
