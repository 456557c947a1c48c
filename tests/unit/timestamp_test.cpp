#include <gtest/gtest.h>

#include "util/timestamp.h"

namespace tcpflow {
namespace {

TEST(Timestamp, SecondsBetweenCountsNanoseconds) {
  EXPECT_DOUBLE_EQ(seconds_between(Timestamp{10, 500000000}, Timestamp{12, 250000000}), 1.75);
  EXPECT_DOUBLE_EQ(seconds_between(Timestamp{12, 0}, Timestamp{10, 0}), -2);
}

TEST(Timestamp, ShiftForwardCarriesIntoSeconds) {
  Timestamp ts{100, 900000000};
  shift_timestamp(ts, 1.2);
  EXPECT_EQ(ts.sec, 102);
  EXPECT_EQ(ts.nsec, 100000000u);
}

TEST(Timestamp, ShiftBackwardBorrowsFromSeconds) {
  Timestamp ts{100, 100000000};
  shift_timestamp(ts, -0.5);
  EXPECT_EQ(ts.sec, 99);
  EXPECT_EQ(ts.nsec, 600000000u);
  shift_timestamp(ts, -3600);
  EXPECT_EQ(ts.sec, 99 - 3600);
  EXPECT_EQ(ts.nsec, 600000000u);
}

}  // namespace
}  // namespace tcpflow
