#include "reassembly/interval_set.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace tcpflow::reassembly {
namespace {

std::vector<std::pair<uint64_t, uint64_t>> contents(const IntervalSet& set) {
  return std::vector<std::pair<uint64_t, uint64_t>>(set.begin(), set.end());
}
using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

TEST(IntervalSet, AdjacentAndOverlappingRangesMerge) {
  IntervalSet set;
  EXPECT_TRUE(set.add(10, 20));
  EXPECT_TRUE(set.add(20, 30));  // adjacent: extends in place
  EXPECT_TRUE(set.add(40, 50));
  EXPECT_TRUE(set.add(5, 6));
  EXPECT_EQ(contents(set), (Ranges{{5, 6}, {10, 30}, {40, 50}}));
  EXPECT_TRUE(set.add(6, 45));  // bridges everything
  EXPECT_EQ(contents(set), (Ranges{{5, 50}}));
  EXPECT_TRUE(set.add(7, 7));  // empty: ignored
  EXPECT_EQ(set.size(), 1u);
}

TEST(IntervalSet, RemoveSplits) {
  IntervalSet set;
  set.add(0, 100);
  set.remove(10, 20);
  EXPECT_EQ(contents(set), (Ranges{{0, 10}, {20, 100}}));
  set.remove(5, 30);
  EXPECT_EQ(contents(set), (Ranges{{0, 5}, {30, 100}}));
  set.remove(0, 1000);
  EXPECT_TRUE(set.empty());
}

TEST(IntervalSet, Queries) {
  IntervalSet set;
  set.add(10, 20);
  set.add(30, 40);
  IntervalSet::Range r;
  ASSERT_TRUE(set.find_from(15, r));
  EXPECT_EQ(r.start, 10u);
  ASSERT_TRUE(set.find_from(20, r));
  EXPECT_EQ(r.start, 30u);
  EXPECT_FALSE(set.find_from(40, r));
  EXPECT_TRUE(set.contains(10));
  EXPECT_FALSE(set.contains(20));
  EXPECT_EQ(set.next_start_after(10), 30u);
  EXPECT_EQ(set.next_start_after(30), UINT64_MAX);
  set.shift(5);
  EXPECT_EQ(contents(set), (Ranges{{15, 25}, {35, 45}}));
  EXPECT_EQ(set.front().start, 15u);
  EXPECT_EQ(set.back().end, 45u);
}

TEST(IntervalSet, CapRefusesOnlyNewEntries) {
  IntervalSet set(2);
  EXPECT_TRUE(set.add(0, 10));
  EXPECT_TRUE(set.add(20, 30));
  EXPECT_FALSE(set.add(40, 50));
  EXPECT_TRUE(set.add(10, 15));  // merges, no new entry
  EXPECT_TRUE(set.add(60, 70, /*force=*/true));
  EXPECT_EQ(contents(set), (Ranges{{0, 15}, {20, 30}, {60, 70}}));
}

}  // namespace
}  // namespace tcpflow::reassembly
