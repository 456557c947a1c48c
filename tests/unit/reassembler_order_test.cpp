// One random stream fed in many orders, from many ISNs (wrap included), with
// and without a SYN: the output must always be the stream, byte for byte.
#include <gtest/gtest.h>

#include <numeric>
#include <tuple>

#include "reassembly/reassembler.h"
#include "tests/unit/reassembly_test_util.h"

namespace tcpflow::reassembly {
namespace {

using testing::cut;
using testing::data_seg;
using testing::Piece;
using testing::random_bytes;
using testing::Rig;
using testing::syn_seg;

enum class SynMode { kFirst, kMiddle, kNone };
enum class Order { kInOrder, kReversed, kShuffled, kDuplicated, kRecut };

constexpr size_t kStreamSize = 20000;

struct Feed {
  std::vector<Piece> pieces;
  uint64_t expected_duplicates = 0;
};

Feed make_feed(Order order, uint32_t seed) {
  // Pieces of at least 2 bytes, so no retransmission looks like a keepalive.
  std::vector<Piece> pieces = cut(kStreamSize, seed, 2, 1460);
  std::mt19937 rng(seed * 7919u + 1);
  Feed feed;
  switch (order) {
    case Order::kInOrder:
      break;
    case Order::kReversed:
      std::reverse(pieces.begin(), pieces.end());
      break;
    case Order::kShuffled:
      std::shuffle(pieces.begin(), pieces.end(), rng);
      break;
    case Order::kDuplicated: {
      std::vector<Piece> twice;
      for (const Piece& p : pieces) {
        twice.push_back(p);
        twice.push_back(p);
      }
      std::shuffle(twice.begin(), twice.end(), rng);
      pieces = twice;
      feed.expected_duplicates = kStreamSize;
      break;
    }
    case Order::kRecut: {
      // A second, different cutting overlaps the first everywhere.
      std::vector<Piece> other = cut(kStreamSize, seed + 1000, 2, 700);
      pieces.insert(pieces.end(), other.begin(), other.end());
      std::shuffle(pieces.begin(), pieces.end(), rng);
      feed.expected_duplicates = kStreamSize;
      break;
    }
  }
  feed.pieces = pieces;
  return feed;
}

class OrderTest : public ::testing::TestWithParam<std::tuple<uint32_t, SynMode>> {};

TEST_P(OrderTest, EveryOrderReproducesTheStream) {
  const uint32_t isn = std::get<0>(GetParam());
  const SynMode mode = std::get<1>(GetParam());
  const std::vector<uint8_t> stream = random_bytes(kStreamSize, isn ^ 0x5eed);
  for (Order order :
       {Order::kInOrder, Order::kReversed, Order::kShuffled, Order::kDuplicated, Order::kRecut}) {
    for (uint32_t seed : {1u, 2u, 3u}) {
      if ((order == Order::kInOrder || order == Order::kReversed) && seed > 1) continue;
      SCOPED_TRACE(::testing::Message() << "order " << static_cast<int>(order) << " seed " << seed);
      const Feed feed = make_feed(order, seed);
      Rig<> rig;
      if (mode == SynMode::kFirst) {
        ASSERT_EQ(rig.r.add(syn_seg(isn)), AddStatus::kAccepted);
      }
      const size_t syn_at = mode == SynMode::kMiddle ? feed.pieces.size() / 2 : SIZE_MAX;
      for (size_t i = 0; i < feed.pieces.size(); ++i) {
        if (i == syn_at) {
          ASSERT_EQ(rig.r.add(syn_seg(isn)), AddStatus::kAccepted);
        }
        const AddStatus status = rig.r.add(data_seg(isn + 1, stream, feed.pieces[i]));
        ASSERT_TRUE(status == AddStatus::kAccepted || status == AddStatus::kDuplicate);
      }
      EXPECT_EQ(rig.r.contiguous_end(), kStreamSize);
      EXPECT_EQ(rig.r.highest_end(), kStreamSize);
      EXPECT_EQ(rig.r.held_bytes(), 0u);
      rig.r.finish();
      EXPECT_EQ(rig.sink.bytes, stream);
      const ReassemblyStats& st = rig.r.stats();
      EXPECT_TRUE(st.gaps.empty());
      EXPECT_EQ(st.conflict_count, 0u);
      EXPECT_TRUE(st.conflicts.empty());
      EXPECT_EQ(st.duplicate_bytes, feed.expected_duplicates);
      EXPECT_EQ(st.segments, feed.pieces.size());
      EXPECT_EQ(st.payload_bytes, kStreamSize + feed.expected_duplicates);
      EXPECT_EQ(rig.budget.used(), 0u);
      EXPECT_EQ(rig.r.syn_seen(), mode != SynMode::kNone);
      if (order == Order::kInOrder && mode != SynMode::kMiddle) {
        // In order: one write per segment, straight from the packet.
        EXPECT_EQ(rig.sink.writes, static_cast<int>(feed.pieces.size()));
        EXPECT_EQ(rig.sink.rewrites, 0);
        EXPECT_TRUE(rig.sink.shifts.empty());
      }
    }
  }
}

std::vector<uint32_t> test_isns() {
  std::vector<uint32_t> isns = {0u, 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu};
  for (uint32_t k = 2; k <= 34; ++k) isns.push_back(static_cast<uint32_t>(0 - k));
  isns.push_back(static_cast<uint32_t>(0u - kStreamSize / 2));  // wraps mid-stream
  return isns;
}

INSTANTIATE_TEST_SUITE_P(Isns, OrderTest,
                         ::testing::Combine(::testing::ValuesIn(test_isns()),
                                            ::testing::Values(SynMode::kFirst, SynMode::kMiddle,
                                                              SynMode::kNone)));

TEST(ReassemblerOrder, InOrderWritesComeStraightFromThePacket) {
  const std::vector<uint8_t> stream = random_bytes(5000, 9);
  Rig<> rig;
  ASSERT_EQ(rig.r.add(syn_seg(100)), AddStatus::kAccepted);
  for (const Piece& p : cut(stream.size(), 9, 1, 900)) {
    const Segment s = data_seg(101, stream, p);
    ASSERT_EQ(rig.r.add(s), AddStatus::kAccepted);
    EXPECT_EQ(rig.sink.last_write_data, s.payload.data());
  }
  EXPECT_EQ(rig.sink.read_backs, 0);
  EXPECT_EQ(rig.budget.peak(), 0u);
  EXPECT_EQ(rig.sink.bytes, stream);
}

// Writes nothing, only checks that offsets arrive contiguously.
class CountingSink : public StreamSink {
 public:
  void write(uint64_t offset, ByteView data, Timestamp) override {
    if (offset != next) ++misplaced;
    next = offset + data.size();
  }
  bool read_back(uint64_t, uint8_t*, size_t) override { return false; }
  bool shift(uint64_t) override { return false; }
  uint64_t next = 0;
  uint64_t misplaced = 0;
};

TEST(ReassemblerOrder, StreamLongerThanFourGiB) {
  std::vector<uint8_t> chunk(65536, 0xab);
  CountingSink sink;
  MemoryBudget budget(1 << 20);
  Reassembler r(sink, ReassemblyLimits{}, OverlapPolicy::kFirstWins, budget);
  const uint32_t isn = 0xfffff000u;
  ASSERT_EQ(r.add(testing::syn_seg(isn)), AddStatus::kAccepted);
  const uint64_t total = (5ull << 30);  // 5 GiB: the sequence space wraps more than once
  uint32_t seq = isn + 1;
  for (uint64_t sent = 0; sent < total; sent += chunk.size()) {
    ASSERT_EQ(r.add(testing::seg(seq, chunk.data(), chunk.size())), AddStatus::kAccepted);
    seq += static_cast<uint32_t>(chunk.size());
  }
  // A retransmission of the last chunk lands at its 64-bit offset.
  const uint32_t last = seq - static_cast<uint32_t>(chunk.size());
  EXPECT_EQ(r.add(testing::seg(last, chunk.data(), chunk.size())), AddStatus::kDuplicate);
  EXPECT_EQ(r.contiguous_end(), total);
  EXPECT_EQ(r.highest_end(), total);
  EXPECT_EQ(sink.next, total);
  EXPECT_EQ(sink.misplaced, 0u);
  EXPECT_EQ(r.stats().duplicate_bytes, chunk.size());
}

}  // namespace
}  // namespace tcpflow::reassembly
