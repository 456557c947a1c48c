#include "flow/connection.h"

#include <gtest/gtest.h>

#include <vector>

namespace tcpflow::flow {
namespace {

std::vector<uint64_t> ids_front_to_back(const ActivityList& list) {
  std::vector<uint64_t> ids;
  for (Connection* c = list.front(); c != nullptr; c = c->activity_links.next) ids.push_back(c->id);
  return ids;
}

std::vector<uint64_t> ids_back_to_front(const ActivityList& list) {
  std::vector<uint64_t> ids;
  for (Connection* c = list.back(); c != nullptr; c = c->activity_links.prev) ids.push_back(c->id);
  return ids;
}

class ConnectionListTest : public ::testing::Test {
 protected:
  ConnectionListTest() {
    for (uint64_t i = 0; i < 4; ++i) conns_[i].id = i + 1;
  }
  Connection conns_[4];
};

TEST_F(ConnectionListTest, PushFrontAndBackKeepOrderBothWays) {
  ActivityList list;
  EXPECT_TRUE(list.empty());
  list.push_front(&conns_[1]);
  list.push_front(&conns_[0]);
  list.push_back(&conns_[2]);
  EXPECT_EQ(list.size(), 3u);
  EXPECT_EQ(ids_front_to_back(list), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(ids_back_to_front(list), (std::vector<uint64_t>{3, 2, 1}));
  EXPECT_EQ(list.front(), &conns_[0]);
  EXPECT_EQ(list.back(), &conns_[2]);
}

TEST_F(ConnectionListTest, EraseHeadMiddleTailAndUnlinked) {
  ActivityList list;
  for (Connection& c : conns_) list.push_back(&c);
  list.erase(&conns_[1]);
  EXPECT_EQ(ids_front_to_back(list), (std::vector<uint64_t>{1, 3, 4}));
  list.erase(&conns_[0]);
  EXPECT_EQ(ids_front_to_back(list), (std::vector<uint64_t>{3, 4}));
  list.erase(&conns_[3]);
  EXPECT_EQ(ids_front_to_back(list), (std::vector<uint64_t>{3}));
  EXPECT_EQ(ids_back_to_front(list), (std::vector<uint64_t>{3}));
  list.erase(&conns_[1]);  // not on the list any more: nothing happens
  EXPECT_EQ(list.size(), 1u);
  list.erase(&conns_[2]);
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.front(), nullptr);
  EXPECT_EQ(list.back(), nullptr);
  EXPECT_FALSE(conns_[2].activity_links.linked);
}

TEST_F(ConnectionListTest, MoveToFrontFromAnywhere) {
  ActivityList list;
  for (Connection& c : conns_) list.push_back(&c);
  list.move_to_front(&conns_[3]);
  EXPECT_EQ(ids_front_to_back(list), (std::vector<uint64_t>{4, 1, 2, 3}));
  list.move_to_front(&conns_[1]);
  EXPECT_EQ(ids_front_to_back(list), (std::vector<uint64_t>{2, 4, 1, 3}));
  list.move_to_front(&conns_[1]);  // already first
  EXPECT_EQ(ids_front_to_back(list), (std::vector<uint64_t>{2, 4, 1, 3}));
  EXPECT_EQ(ids_back_to_front(list), (std::vector<uint64_t>{3, 1, 4, 2}));
  EXPECT_EQ(list.size(), 4u);
}

TEST_F(ConnectionListTest, OneConnectionOnTwoListsAtOnce) {
  ActivityList active;
  ClosedList closed;
  for (Connection& c : conns_) active.push_back(&c);
  closed.push_back(&conns_[2]);
  closed.push_back(&conns_[0]);
  active.erase(&conns_[2]);
  EXPECT_EQ(ids_front_to_back(active), (std::vector<uint64_t>{1, 2, 4}));
  EXPECT_EQ(closed.front(), &conns_[2]);
  EXPECT_EQ(closed.back(), &conns_[0]);
  closed.erase(&conns_[2]);
  EXPECT_EQ(closed.front(), &conns_[0]);
  EXPECT_TRUE(conns_[0].activity_links.linked);
  EXPECT_TRUE(conns_[0].closed_links.linked);
}

}  // namespace
}  // namespace tcpflow::flow
