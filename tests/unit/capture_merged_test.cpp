// --merge-inputs: MergedSource orders records by time across inputs.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "capture/merged_source.h"

namespace tcpflow::capture {
namespace {

// Hands out its records from one buffer that the next call overwrites, as
// real readers do, so a merge that kept a stale view would see wrong bytes.
class ScriptedSource : public PacketSource {
 public:
  ScriptedSource(std::vector<std::pair<int64_t, uint8_t>> records, bool fail_at_end = false,
                 int link_type = 1)
      : records_(std::move(records)), fail_at_end_(fail_at_end), link_type_(link_type) {}

  ReadStatus next(Record& out) override {
    ++calls_;
    if (next_ == records_.size()) return fail_at_end_ ? ReadStatus::kError : ReadStatus::kEnd;
    buffer_ = records_[next_].second;
    out = Record{};
    out.ts = Timestamp{records_[next_].first, 0};
    out.caplen = 1;
    out.link_type = link_type_;
    out.data = ByteView(&buffer_, 1);
    ++next_;
    return ReadStatus::kPacket;
  }
  const std::string& error() const override { return error_; }
  bool truncated() const override { return fail_at_end_; }
  int primary_link_type() const override { return link_type_; }
  uint32_t snaplen() const override { return 100u * static_cast<uint32_t>(link_type_); }
  size_t calls() const { return calls_; }

 private:
  std::vector<std::pair<int64_t, uint8_t>> records_;
  size_t next_ = 0;
  size_t calls_ = 0;
  uint8_t buffer_ = 0;
  bool fail_at_end_;
  int link_type_;
  std::string error_ = "truncated inside a record";
};

// (time, payload byte, input) of every record the merge hands out.
std::vector<std::tuple<int64_t, int, size_t>> drain(MergedSource& merged) {
  std::vector<std::tuple<int64_t, int, size_t>> out;
  Record record;
  while (merged.next(record) == ReadStatus::kPacket) {
    out.emplace_back(record.ts.sec, record.data[0], merged.current_input());
  }
  return out;
}

TEST(MergedSource, InterleavesByTimeAndKeepsEachInputsOrder) {
  std::vector<std::unique_ptr<PacketSource>> inputs;
  inputs.push_back(std::make_unique<ScriptedSource>(
      std::vector<std::pair<int64_t, uint8_t>>{{1, 'a'}, {4, 'b'}, {2, 'c'}, {9, 'd'}}));
  inputs.push_back(std::make_unique<ScriptedSource>(
      std::vector<std::pair<int64_t, uint8_t>>{{3, 'x'}, {5, 'y'}}));
  MergedSource merged(std::move(inputs), nullptr);
  // Input 0's 'c' (time 2) stays after its 'b' (time 4): each file's order is kept.
  std::vector<std::tuple<int64_t, int, size_t>> want = {
      {1, 'a', 0}, {3, 'x', 1}, {4, 'b', 0}, {2, 'c', 0}, {5, 'y', 1}, {9, 'd', 0}};
  EXPECT_EQ(drain(merged), want);
  EXPECT_EQ(merged.records_from(0), 4u);
  EXPECT_EQ(merged.records_from(1), 2u);
}

TEST(MergedSource, EqualTimesComeInInputOrder) {
  std::vector<std::unique_ptr<PacketSource>> inputs;
  for (uint8_t tag : {'p', 'q', 'r'}) {
    inputs.push_back(std::make_unique<ScriptedSource>(
        std::vector<std::pair<int64_t, uint8_t>>{{7, tag}, {7, static_cast<uint8_t>(tag + 10)}}));
  }
  MergedSource merged(std::move(inputs), nullptr);
  std::vector<std::tuple<int64_t, int, size_t>> want = {
      {7, 'p', 0}, {7, 'p' + 10, 0}, {7, 'q', 1}, {7, 'q' + 10, 1}, {7, 'r', 2}, {7, 'r' + 10, 2}};
  EXPECT_EQ(drain(merged), want);
}

TEST(MergedSource, HoldsOneRecordPerInput) {
  std::vector<std::unique_ptr<PacketSource>> inputs;
  auto* first = new ScriptedSource({{1, 'a'}, {2, 'b'}, {3, 'c'}, {4, 'd'}});
  auto* second = new ScriptedSource({{10, 'z'}});
  inputs.emplace_back(first);
  inputs.emplace_back(second);
  MergedSource merged(std::move(inputs), nullptr);
  Record record;
  ASSERT_EQ(merged.next(record), ReadStatus::kPacket);
  ASSERT_EQ(merged.next(record), ReadStatus::kPacket);
  // Two records out of the first input: it was asked twice (a record is
  // replaced only when the next one is wanted), the second input once.
  EXPECT_EQ(first->calls(), 2u);
  EXPECT_EQ(second->calls(), 1u);
}

TEST(MergedSource, AFailingInputIsReportedAndTheOthersGoOn) {
  std::vector<std::unique_ptr<PacketSource>> inputs;
  inputs.push_back(std::make_unique<ScriptedSource>(
      std::vector<std::pair<int64_t, uint8_t>>{{1, 'a'}}, /*fail_at_end=*/true));
  inputs.push_back(std::make_unique<ScriptedSource>(
      std::vector<std::pair<int64_t, uint8_t>>{{2, 'b'}, {3, 'c'}}, false, 101));
  std::vector<std::pair<size_t, std::string>> errors;
  MergedSource merged(std::move(inputs), [&](size_t input, const std::string& error, bool) {
    errors.emplace_back(input, error);
  });
  EXPECT_EQ(merged.snaplen(), 10100u);
  EXPECT_EQ(merged.primary_link_type(), 1);
  std::vector<std::tuple<int64_t, int, size_t>> want = {{1, 'a', 0}, {2, 'b', 1}, {3, 'c', 1}};
  EXPECT_EQ(drain(merged), want);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].first, 0u);
  EXPECT_EQ(errors[0].second, "truncated inside a record");
}

TEST(MergedSource, NoInputsMeansEnd) {
  MergedSource merged({}, nullptr);
  Record record;
  EXPECT_EQ(merged.next(record), ReadStatus::kEnd);
}

}  // namespace
}  // namespace tcpflow::capture
