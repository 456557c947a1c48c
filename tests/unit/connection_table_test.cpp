#include "flow/connection_table.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace tcpflow::flow {
namespace {

ConnKey key_of(uint32_t n) {
  ConnKey key;
  key.low_addr.family = key.high_addr.family = 4;
  key.low_addr.bytes[0] = 10;
  key.low_addr.bytes[3] = static_cast<uint8_t>(n >> 16);
  key.high_addr.bytes[0] = 192;
  key.low_port = static_cast<uint16_t>(n);
  key.high_port = 80;
  return key;
}

TEST(ConnectionTable, FindsWhatWasInsertedAndNothingElse) {
  ConnectionTable table;
  Connection* a = table.insert(key_of(1));
  Connection* b = table.insert(key_of(2));
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.find(key_of(1)), a);
  EXPECT_EQ(table.find(key_of(2)), b);
  EXPECT_EQ(a->key, key_of(1));
  EXPECT_EQ(table.find(key_of(3)), nullptr);
  ConnKey tunnelled = key_of(1);
  tunnelled.tunnel = 7;  // part of the identity
  EXPECT_EQ(table.find(tunnelled), nullptr);
  table.erase(a);
  EXPECT_EQ(table.find(key_of(1)), nullptr);
  EXPECT_EQ(table.find(key_of(2)), b);
  EXPECT_EQ(table.size(), 1u);
}

// Random inserts and erases past several growths, checked against std::map:
// every erase's backward shift must leave each remaining key findable.
TEST(ConnectionTable, AgreesWithAMapThroughGrowthAndErasure) {
  ConnectionTable table;
  std::map<uint32_t, Connection*> truth;
  std::mt19937 random(42);
  for (int step = 0; step < 200000; ++step) {
    const uint32_t n = random() % 40000;
    auto it = truth.find(n);
    if (it == truth.end()) {
      Connection* conn = table.insert(key_of(n));
      conn->id = n;
      truth.emplace(n, conn);
    } else if (random() % 3 != 0) {
      table.erase(it->second);
      truth.erase(it);
    }
    if (step % 20000 == 0) {
      ASSERT_EQ(table.size(), truth.size());
      for (const auto& [id, conn] : truth) {
        ASSERT_EQ(table.find(key_of(id)), conn) << id;
        ASSERT_EQ(conn->id, id);
      }
    }
  }
  ASSERT_EQ(table.size(), truth.size());
  for (uint32_t n = 0; n < 40000; ++n) {
    auto it = truth.find(n);
    ASSERT_EQ(table.find(key_of(n)), it == truth.end() ? nullptr : it->second) << n;
  }
}

}  // namespace
}  // namespace tcpflow::flow
