#include "output/buffer_pool.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <vector>

namespace tcpflow::output {
namespace {

TEST(BufferPool, HandsOutDistinctWritableSlotsUpToTheCap) {
  constexpr size_t kSize = 16 * 1024;
  BufferPool pool(kSize, 8);
  std::vector<BufferPool::Buffer> taken;
  std::set<uint8_t*> starts;
  for (int i = 0; i < 8; ++i) {
    taken.push_back(pool.reserve());
    ASSERT_NE(taken.back(), nullptr);
    std::memset(taken.back().get(), i + 1, kSize);  // a slot overlapping another shows below
    starts.insert(taken.back().get());
  }
  EXPECT_EQ(starts.size(), 8u);
  EXPECT_EQ(pool.in_use(), 8u);
  EXPECT_EQ(pool.reserve(), nullptr);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(taken[i][0], i + 1);
    EXPECT_EQ(taken[i][kSize - 1], i + 1);
  }
  for (auto& buffer : taken) pool.release(std::move(buffer));
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(BufferPool, ReusesTheLatestSlotGivenBack) {
  BufferPool pool(4096, 4);
  BufferPool::Buffer first = pool.reserve();
  BufferPool::Buffer second = pool.reserve();
  uint8_t* second_start = second.get();
  pool.release(std::move(second));
  BufferPool::Buffer again = pool.reserve();
  EXPECT_EQ(again.get(), second_start);  // the touched pages, not fresh ones
  pool.release(std::move(again));
  pool.release(std::move(first));
}

TEST(BufferPool, SlotsGivenBackWhileCrowdedStillWork) {
  constexpr size_t kSize = 16 * 1024;
  BufferPool pool(kSize, 4);
  BufferPool::Buffer a = pool.reserve();
  BufferPool::Buffer b = pool.reserve();
  std::memset(a.get(), 7, kSize);
  pool.release(std::move(b), false);  // one slot's memory goes back
  EXPECT_EQ(a[kSize - 1], 7);         // the others keep their bytes
  pool.release(std::move(a), false);  // the last: the whole arena goes back
  EXPECT_EQ(pool.in_use(), 0u);
  for (int i = 0; i < 4; ++i) {
    BufferPool::Buffer again = pool.reserve();
    ASSERT_NE(again, nullptr);
    std::memset(again.get(), 1, kSize);
    again.release();  // held on: a dropped handle frees nothing
  }
  EXPECT_EQ(pool.reserve(), nullptr);
}

// Buffers released with `keep` and then discarded together: their memory
// goes back to the kernel (an anonymous page comes back zeroed), the
// buffers still out keep their bytes, and every slot is handed out again.
TEST(BufferPool, DiscardFreeReturnsOnlyTheFreeSlotsMemory) {
  constexpr size_t kSize = 16 * 1024;
  BufferPool pool(kSize, 4);
  BufferPool::Buffer kept = pool.reserve();
  BufferPool::Buffer freed = pool.reserve();
  std::memset(kept.get(), 7, kSize);
  std::memset(freed.get(), 9, kSize);
  uint8_t* freed_start = freed.get();
  pool.release(std::move(freed));
  pool.discard_free();
  EXPECT_EQ(kept[0], 7);
  EXPECT_EQ(kept[kSize - 1], 7);
  BufferPool::Buffer again = pool.reserve();
  ASSERT_EQ(again.get(), freed_start);
  EXPECT_EQ(again[0], 0);
  EXPECT_EQ(again[kSize - 1], 0);

  std::memset(again.get(), 5, kSize);
  pool.release(std::move(again));
  pool.release(std::move(kept));
  pool.discard_free();  // none out: the whole arena
  std::vector<BufferPool::Buffer> all;
  for (int i = 0; i < 4; ++i) {
    all.push_back(pool.reserve());
    ASSERT_NE(all.back(), nullptr);
    EXPECT_EQ(all.back()[0], 0);
  }
  for (auto& buffer : all) pool.release(std::move(buffer));
}

}  // namespace
}  // namespace tcpflow::output
