// Random segment soups checked against a byte-by-byte model of the rules:
// first (or last) wins between copies of equal strength, a good copy repairs
// a bad one, a bad copy never beats a good one, holes stay holes.
#include <gtest/gtest.h>

#include <optional>

#include "reassembly/reassembler.h"
#include "tests/unit/reassembly_test_util.h"

namespace tcpflow::reassembly {
namespace {

using testing::cut;
using testing::limits_with;
using testing::random_bytes;
using testing::seg;
using testing::syn_seg;

struct SoupSegment {
  uint64_t offset;  // in the true stream
  std::vector<uint8_t> bytes;
  bool bad;
};

// What the reassembler must produce, computed one byte at a time.
class ByteModel {
 public:
  ByteModel(uint64_t size, OverlapPolicy policy, uint64_t cap)
      : value_(size, -1), weak_(size, false), policy_(policy), cap_(cap) {}

  void add(uint64_t offset, const std::vector<uint8_t>& bytes, bool bad) {
    for (size_t i = 0; i < bytes.size(); ++i) {
      const uint64_t at = offset + i;
      const int fresh = bytes[i];
      if (at >= cap_) {
        ++capped;
      } else if (value_[at] < 0) {
        value_[at] = fresh;
        weak_[at] = bad;
      } else if (weak_[at] && !bad) {
        ++replaced;
        value_[at] = fresh;
        weak_[at] = false;
      } else if (!weak_[at] && bad) {
        duplicates += value_[at] == fresh;
      } else if (value_[at] == fresh) {
        ++duplicates;
      } else {
        ++conflict_bytes;
        if (policy_ == OverlapPolicy::kLastWins) value_[at] = fresh;
      }
    }
  }

  // Output relative to `base`, the reassembler's offset 0.
  std::vector<uint8_t> output(uint64_t base) const {
    std::vector<uint8_t> out;
    for (uint64_t at = base; at < value_.size(); ++at) {
      out.push_back(static_cast<uint8_t>(value_[at] < 0 ? 0 : value_[at]));
    }
    while (!out.empty() && value_[base + out.size() - 1] < 0) out.pop_back();
    return out;
  }
  std::vector<ByteRange> gaps(uint64_t base) const {
    std::vector<ByteRange> out;
    const uint64_t end = base + output(base).size();
    for (uint64_t at = base; at < end;) {
      if (value_[at] >= 0) {
        ++at;
        continue;
      }
      const uint64_t from = at;
      while (value_[at] < 0) ++at;
      out.push_back({from - base, at - from});
    }
    return out;
  }
  uint64_t contiguous(uint64_t base) const {
    uint64_t at = base;
    while (at < value_.size() && value_[at] >= 0) ++at;
    return at - base;
  }

  uint64_t duplicates = 0;
  uint64_t conflict_bytes = 0;
  uint64_t replaced = 0;
  uint64_t capped = 0;

 private:
  std::vector<int> value_;
  std::vector<bool> weak_;
  OverlapPolicy policy_;
  uint64_t cap_;
};

std::vector<SoupSegment> make_soup(const std::vector<uint8_t>& stream, std::mt19937& rng) {
  std::vector<SoupSegment> soup;
  const uint64_t size = stream.size();
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  if (pick(2) == 0) {  // a complete good copy somewhere in the soup
    for (const testing::Piece& p : cut(size, static_cast<uint32_t>(rng()), 2, 1460)) {
      soup.push_back(
          {p.offset,
           std::vector<uint8_t>(stream.begin() + p.offset, stream.begin() + p.offset + p.length),
           pick(5) == 0});
    }
  }
  const uint64_t extra = 5 + pick(60);
  for (uint64_t i = 0; i < extra; ++i) {
    const uint64_t offset = pick(size - 1);
    const uint64_t length = std::min<uint64_t>(2 + pick(1500), size - offset);
    if (length < 2) continue;
    std::vector<uint8_t> bytes(stream.begin() + offset, stream.begin() + offset + length);
    if (pick(3) == 0) {  // garbage over part of it
      const uint64_t from = pick(length);
      const uint64_t to = from + pick(length - from) + 1;
      for (uint64_t k = from; k < to; ++k) bytes[k] = static_cast<uint8_t>(rng());
    }
    soup.push_back({offset, std::move(bytes), pick(4) == 0});
    if (pick(4) == 0) soup.push_back(soup.back());  // an exact retransmission
  }
  std::shuffle(soup.begin(), soup.end(), rng);
  return soup;
}

class SoupTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(SoupTest, MatchesTheByteModel) {
  std::mt19937 rng(GetParam());
  auto pick = [&](uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng); };
  const std::vector<uint8_t> stream = random_bytes(2000 + pick(18000), GetParam());
  const std::vector<SoupSegment> soup = make_soup(stream, rng);
  const bool with_syn = pick(2) == 0;
  const OverlapPolicy policy = pick(3) == 0 ? OverlapPolicy::kLastWins : OverlapPolicy::kFirstWins;
  const uint64_t flow_limits[] = {0, 50, 1000, 8ull << 20};
  const uint64_t budgets[] = {0, 100, 5000, UINT64_MAX};
  const uint64_t cap = with_syn && pick(4) == 0 ? pick(stream.size()) : UINT64_MAX;
  const uint32_t isns[] = {0u,          1u,          0x80000000u,
                           0xffffffffu, 0xfffffff0u, static_cast<uint32_t>(rng())};
  const uint32_t isn = isns[pick(6)];
  SCOPED_TRACE(::testing::Message() << "syn " << with_syn << " cap " << cap << " isn " << isn);

  testing::VectorSink sink;
  MemoryBudget budget(budgets[pick(4)]);
  Reassembler r(sink, limits_with(16 << 20, cap, flow_limits[pick(4)]), policy, budget);
  ByteModel model(stream.size(), policy, cap);
  if (with_syn) {
    ASSERT_EQ(r.add(syn_seg(isn)), AddStatus::kAccepted);
  }
  uint64_t lowest = UINT64_MAX;
  uint64_t payload = 0;
  for (const SoupSegment& s : soup) {
    const uint32_t seq = static_cast<uint32_t>(isn + 1 + s.offset);
    const AddStatus status = r.add(seg(seq, s.bytes.data(), s.bytes.size(), testing::kAck, s.bad));
    ASSERT_TRUE(status == AddStatus::kAccepted || status == AddStatus::kDuplicate);
    // A lone byte just below the contiguous end is a keepalive probe: ignored.
    const uint64_t base_now = with_syn ? 0 : lowest;
    const uint64_t contiguous = std::min(cap, model.contiguous(base_now));
    const bool keepalive = lowest != UINT64_MAX && s.bytes.size() == 1 && contiguous > 0 &&
                           s.offset == base_now + contiguous - 1;
    if (keepalive) {
      EXPECT_EQ(status, AddStatus::kDuplicate);
    } else {
      model.add(s.offset, s.bytes, s.bad);
    }
    lowest = std::min(lowest, s.offset);
    payload += s.bytes.size();
    ASSERT_EQ(budget.used(), r.held_bytes());
  }
  const uint64_t base = with_syn ? 0 : lowest;
  EXPECT_EQ(r.contiguous_end(), std::min(cap, model.contiguous(base)));
  r.finish();
  const std::vector<uint8_t> expected = model.output(base);
  EXPECT_EQ(sink.bytes, expected);
  EXPECT_EQ(r.highest_end(), expected.size());
  const ReassemblyStats& st = r.stats();
  EXPECT_EQ(st.gaps, model.gaps(base));
  EXPECT_EQ(st.duplicate_bytes, model.duplicates);
  EXPECT_EQ(st.conflict_bytes, model.conflict_bytes);
  EXPECT_EQ(st.bad_checksum_replaced, model.replaced);
  EXPECT_EQ(st.capped_bytes, model.capped);
  EXPECT_EQ(st.segments, soup.size());
  EXPECT_EQ(st.payload_bytes, payload);
  EXPECT_EQ(st.conflict_count == 0, st.conflict_bytes == 0);
  uint64_t gap_bytes = 0;
  for (const ByteRange& g : st.gaps) gap_bytes += g.length;
  EXPECT_LE(sink.bytes.size(), payload + gap_bytes);
  EXPECT_EQ(r.held_bytes(), 0u);
  EXPECT_EQ(budget.used(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SoupTest, ::testing::Range(1u, 301u));

// Stores nothing; reads back a fixed pattern so comparisons run, and records
// the highest byte written.
class NullSink : public StreamSink {
 public:
  void write(uint64_t offset, ByteView data, Timestamp) override {
    ++writes;
    end = std::max<uint64_t>(end, offset + data.size());
  }
  bool read_back(uint64_t offset, uint8_t* out, size_t len) override {
    for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(offset + i);
    return true;
  }
  bool shift(uint64_t delta) override {
    if (end > 0) end += delta;
    return true;
  }
  uint64_t end = 0;
  uint64_t writes = 0;
};

// Hostile sequence numbers and flags: nothing may crash, hang, write past
// highest_end() or hold more than the limits allow.
TEST(ReassemblerFuzz, RandomSequenceNumbersStayBounded) {
  std::mt19937 rng(77);
  const std::vector<uint8_t> junk = random_bytes(3000, 77);
  for (int round = 0; round < 40; ++round) {
    NullSink sink;
    MemoryBudget budget(1 << 16);
    const uint64_t max_seek = round % 2 ? UINT64_MAX : (1u << 20);
    const uint64_t cap = round % 3 ? UINT64_MAX : (1u << 22);
    Reassembler r(sink, limits_with(max_seek, cap, 1 << 14), OverlapPolicy::kFirstWins, budget);
    const uint32_t start = static_cast<uint32_t>(rng());
    for (int i = 0; i < 2000; ++i) {
      const uint32_t seq = rng() % 3 == 0 ? static_cast<uint32_t>(rng())
                                          : start + static_cast<uint32_t>(rng() % (1u << 21));
      const size_t len = rng() % 1500;
      const auto flags = static_cast<uint8_t>(rng() & 0x13);
      r.add(seg(seq, junk.data() + rng() % 1500, len, flags, rng() % 5 == 0));
      ASSERT_LE(r.held_bytes(), 1u << 14);
      ASSERT_EQ(budget.used(), r.held_bytes());
      ASSERT_LE(sink.end, std::max(r.highest_end(), r.contiguous_end()));
      ASSERT_LE(r.contiguous_end(), r.highest_end());
    }
    r.finish();
    EXPECT_EQ(budget.used(), 0u);
    EXPECT_EQ(sink.end, r.highest_end());
    uint64_t gap_bytes = 0;
    for (const ByteRange& g : r.stats().gaps) gap_bytes += g.length;
    EXPECT_LE(gap_bytes + r.contiguous_end(), r.highest_end());
  }
}

}  // namespace
}  // namespace tcpflow::reassembly
