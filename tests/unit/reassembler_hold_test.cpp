// The midstream hold: a direction that begins without a SYN holds its first
// bytes for a bounded window, so a lower segment arriving next moves the
// start before anything reaches the sink (no shift, nothing lost on a console).
#include <gtest/gtest.h>

#include "reassembly/reassembler.h"
#include "tests/unit/reassembly_test_util.h"

namespace tcpflow::reassembly {
namespace {

using testing::ConsoleSink;
using testing::data_seg;
using testing::kAck;
using testing::kFin;
using testing::kSyn;
using testing::random_bytes;
using testing::Rig;
using testing::seg;

constexpr uint32_t kBase = 0xfffffe00u;  // sequence number of stream byte 0; wraps
const Timestamp kT0{1700000000, 0};

std::vector<uint8_t> first(const std::vector<uint8_t>& v, size_t n) {
  return std::vector<uint8_t>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
}

Segment at(const std::vector<uint8_t>& s, uint64_t offset, uint64_t length,
           Timestamp ts = kT0) {
  Segment segment = data_seg(kBase, s, {offset, length});
  segment.ts = ts;
  return segment;
}

TEST(MidstreamHold, LowerSegmentNextMovesTheStartWithoutShifting) {
  const std::vector<uint8_t> s = random_bytes(1500, 1);
  Rig<> rig;
  EXPECT_EQ(rig.r.add(at(s, 500, 500)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.holding());
  EXPECT_EQ(rig.sink.writes, 0);
  EXPECT_EQ(rig.r.add(at(s, 0, 500)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.holding());  // a lower one came: there may be more
  EXPECT_EQ(rig.sink.writes, 0);
  EXPECT_EQ(rig.r.start_seq(), kBase);
  EXPECT_EQ(rig.r.add(at(s, 1000, 500)), AddStatus::kAccepted);  // continues: window closes
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.sink.bytes, s);
  EXPECT_EQ(rig.r.contiguous_end(), 1500u);
  EXPECT_TRUE(rig.sink.shifts.empty());
  EXPECT_EQ(rig.r.stats().shifts, 0u);
  EXPECT_EQ(rig.sink.rewrites, 0);
}

TEST(MidstreamHold, ConsolePrintsTheLowerBytesFirstAndLosesNone) {
  const std::vector<uint8_t> s = random_bytes(1000, 2);
  Rig<ConsoleSink> rig;
  ASSERT_EQ(rig.r.add(at(s, 600, 400)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(at(s, 0, 600)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.sink.printed.empty());
  rig.r.peer_acknowledged(kBase + 1000, kT0);  // the capture may still reorder: no effect
  EXPECT_TRUE(rig.r.holding());
  ASSERT_EQ(rig.r.add(seg(kBase + 1000, nullptr, 0, kFin | kAck)), AddStatus::kAccepted);
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.sink.printed, s);
  ASSERT_EQ(rig.sink.log.size(), 2u);
  EXPECT_EQ(rig.sink.log[0].first, 0u);
  EXPECT_EQ(rig.sink.log[1].first, 600u);
  EXPECT_EQ(rig.sink.shift_requests, 0);
  EXPECT_EQ(rig.r.stats().before_start_segments, 0u);
}

TEST(MidstreamHold, ContiguousSecondSegmentClosesTheWindow) {
  const std::vector<uint8_t> s = random_bytes(800, 3);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 0, 300)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.holding());
  ASSERT_EQ(rig.r.add(at(s, 300, 500)), AddStatus::kAccepted);
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.sink.bytes, s);
  EXPECT_EQ(rig.sink.writes, 2);  // one write per segment, as without the hold
}

TEST(MidstreamHold, HoleAfterTheFirstKeepsHoldingUntilFilled) {
  const std::vector<uint8_t> s = random_bytes(900, 4);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 0, 300)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(at(s, 600, 300)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.holding());
  ASSERT_EQ(rig.r.add(at(s, 300, 300)), AddStatus::kAccepted);
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(MidstreamHold, PeerAckBelowTheStartWaitsForTheMissingBytes) {
  const std::vector<uint8_t> s = random_bytes(2000, 5);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 1000, 500)), AddStatus::kAccepted);
  rig.r.peer_acknowledged(kBase, kT0);  // the peer still waits for byte 0
  EXPECT_TRUE(rig.r.holding());
  // Continuing bytes no longer close the window: a lower segment is missing.
  ASSERT_EQ(rig.r.add(at(s, 1500, 500)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.holding());
  ASSERT_EQ(rig.r.add(at(s, 500, 500)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.holding());
  ASSERT_EQ(rig.r.add(at(s, 0, 500)), AddStatus::kAccepted);  // the gap is explained
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.sink.bytes, s);
  EXPECT_TRUE(rig.sink.shifts.empty());
}

TEST(MidstreamHold, ALowerSegmentAfterTheWindowStillShifts) {
  const std::vector<uint8_t> s = random_bytes(1000, 6);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 400, 300)), AddStatus::kAccepted);
  rig.r.peer_acknowledged(kBase + 700, kT0);
  EXPECT_TRUE(rig.r.holding());
  ASSERT_EQ(rig.r.add(at(s, 700, 300)), AddStatus::kAccepted);  // continues: closes
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.sink.writes, 2);
  // After the window: what still moves a file.
  ASSERT_EQ(rig.r.add(at(s, 0, 400)), AddStatus::kAccepted);
  EXPECT_EQ(rig.sink.shifts, std::vector<uint64_t>({400}));
  EXPECT_EQ(rig.r.stats().shifts, 1u);
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(MidstreamHold, BoundedBySegments) {
  const std::vector<uint8_t> s = random_bytes(100 * 20, 7);
  Rig<> rig;
  // Every other 100-byte piece, each leaving a hole: only the count closes it.
  for (uint32_t i = 0; i < MidstreamHold::kMaxSegments; ++i) {
    EXPECT_TRUE(i == 0 || rig.r.holding()) << i;
    ASSERT_EQ(rig.r.add(at(s, 200 * i, 100)), AddStatus::kAccepted);
  }
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(first(rig.sink.bytes, 100), first(s, 100));
  EXPECT_EQ(rig.r.contiguous_end(), 100u);
}

TEST(MidstreamHold, BoundedByBytes) {
  const std::vector<uint8_t> s = random_bytes(MidstreamHold::kMaxBytes + 10, 8);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 0, s.size())), AddStatus::kAccepted);
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(MidstreamHold, BoundedByCaptureTime) {
  const std::vector<uint8_t> s = random_bytes(900, 9);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 0, 300)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(at(s, 600, 300, Timestamp{kT0.sec, 999999999})), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.holding());
  // A peer ACK below the start one second later: still the time bound that counts.
  rig.r.peer_acknowledged(kBase - 10, Timestamp{kT0.sec + 1, 0});
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(first(rig.sink.bytes, 300), first(s, 300));
}

TEST(MidstreamHold, FinClosesTheWindow) {
  const std::vector<uint8_t> s = random_bytes(500, 10);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 200, 300)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(seg(kBase + 500, nullptr, 0, kFin | kAck)), AddStatus::kAccepted);
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.sink.writes, 1);
}

TEST(MidstreamHold, LateSynInsideTheWindowNeedsNoShift) {
  const std::vector<uint8_t> s = random_bytes(600, 11);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 200, 400)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(seg(kBase - 1, nullptr, 0, kSyn)), AddStatus::kAccepted);
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(rig.r.start_seq(), kBase);
  EXPECT_EQ(rig.sink.writes, 0);  // [0, 200) is a hole before the held bytes
  ASSERT_EQ(rig.r.add(at(s, 0, 200)), AddStatus::kAccepted);
  EXPECT_EQ(rig.sink.bytes, s);
  EXPECT_TRUE(rig.sink.shifts.empty());
}

TEST(MidstreamHold, MemoryRunningShortClosesTheWindow) {
  const std::vector<uint8_t> s = random_bytes(900, 12);
  Rig<> rig({}, OverlapPolicy::kFirstWins, /*budget_bytes=*/400);
  ASSERT_EQ(rig.r.add(at(s, 0, 300)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.r.holding());
  ASSERT_EQ(rig.r.add(at(s, 600, 300)), AddStatus::kAccepted);  // no room to hold it
  EXPECT_FALSE(rig.r.holding());
  EXPECT_EQ(first(rig.sink.bytes, 300), first(s, 300));
  rig.r.finish();
  EXPECT_EQ(rig.r.stats().gaps, std::vector<ByteRange>({{300, 300}}));
}

TEST(MidstreamHold, KeepaliveWhileHoldingIsNotData) {
  const std::vector<uint8_t> s = random_bytes(300, 13);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(at(s, 0, 300)), AddStatus::kAccepted);
  const uint8_t garbage = static_cast<uint8_t>(s[299] ^ 0xff);
  EXPECT_EQ(rig.r.add(seg(kBase + 299, &garbage, 1)), AddStatus::kDuplicate);
  EXPECT_EQ(rig.r.stats().conflict_count, 0u);
  rig.r.finish();
  EXPECT_EQ(rig.sink.bytes, s);
}

TEST(MidstreamHold, FinishDeliversWhatIsHeld) {
  const std::vector<uint8_t> s = random_bytes(700, 14);
  Rig<ConsoleSink> rig;
  ASSERT_EQ(rig.r.add(at(s, 300, 400)), AddStatus::kAccepted);
  ASSERT_EQ(rig.r.add(at(s, 0, 300)), AddStatus::kAccepted);
  EXPECT_TRUE(rig.sink.printed.empty());
  rig.r.finish();
  EXPECT_EQ(rig.sink.printed, s);
}

TEST(MidstreamHold, SynOpenedStreamsNeverHold) {
  const std::vector<uint8_t> s = random_bytes(100, 15);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(seg(kBase - 1, nullptr, 0, kSyn)), AddStatus::kAccepted);
  EXPECT_FALSE(rig.r.holding());
  ASSERT_EQ(rig.r.add(at(s, 0, 100)), AddStatus::kAccepted);
  EXPECT_EQ(rig.sink.bytes, s);
}

}  // namespace
}  // namespace tcpflow::reassembly
