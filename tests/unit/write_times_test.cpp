#include <gtest/gtest.h>

#include "flow/write_times.h"

namespace tcpflow::flow {
namespace {

TEST(WriteTimesTest, EachByteGetsTheTimeOfTheWriteThatDeliveredIt) {
  WriteTimes t;
  t.note(0, 10, Timestamp{5, 0});
  t.note(10, 5, Timestamp{6, 0});
  t.note(15, 5, Timestamp{6, 0});  // same time, contiguous: one entry
  t.seal();
  EXPECT_EQ(2u, t.entries());
  EXPECT_EQ(5, t.at(0)->sec);
  EXPECT_EQ(5, t.at(9)->sec);
  EXPECT_EQ(6, t.at(10)->sec);
  EXPECT_EQ(6, t.at(19)->sec);
  EXPECT_FALSE(t.at(20).has_value());
}

TEST(WriteTimesTest, OutOfOrderWritesAndHolesAfterSeal) {
  WriteTimes t;
  t.note(0, 4, Timestamp{1, 0});
  t.note(100, 4, Timestamp{3, 0});  // written before the bytes in between
  t.note(50, 4, Timestamp{2, 0});
  t.seal();
  EXPECT_EQ(1, t.at(3)->sec);
  EXPECT_EQ(2, t.at(50)->sec);
  EXPECT_EQ(3, t.at(103)->sec);
  EXPECT_FALSE(t.at(10).has_value());  // a gap: never delivered
  EXPECT_FALSE(t.at(54).has_value());
}

TEST(WriteTimesTest, ShiftMovesEveryOffset) {
  WriteTimes t;
  t.note(0, 4, Timestamp{7, 0});
  t.shift(10);
  t.note(0, 10, Timestamp{8, 0});
  t.seal();
  EXPECT_EQ(8, t.at(0)->sec);
  EXPECT_EQ(7, t.at(10)->sec);
  EXPECT_FALSE(t.at(14).has_value());
}

TEST(WriteTimesTest, StopsRecordingPastTheCap) {
  WriteTimes t;
  for (uint64_t i = 0; i < WriteTimes::kMaxEntries + 3; ++i) {
    t.note(i, 1, Timestamp{static_cast<int64_t>(i), 0});
  }
  t.seal();
  EXPECT_TRUE(t.full());
  EXPECT_EQ(WriteTimes::kMaxEntries, t.entries());
  EXPECT_TRUE(t.at(WriteTimes::kMaxEntries - 1).has_value());
  EXPECT_FALSE(t.at(WriteTimes::kMaxEntries).has_value());
}

}  // namespace
}  // namespace tcpflow::flow
