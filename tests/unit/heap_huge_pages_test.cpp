// HeapHugePages: which part of a grown heap is advised, and that the advice
// reaches the kernel (the heap's mapping carries the "hg" flag).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "util/heap_huge_pages.h"

namespace tcpflow {
namespace {

constexpr uintptr_t kBlock = HeapHugePages::kHugePage;

TEST(HeapHugePages, AdvisesOnlyWholeBlocks) {
  auto r = HeapHugePages::whole_blocks(10 * kBlock, 13 * kBlock);
  EXPECT_EQ(r.begin, 10 * kBlock);
  EXPECT_EQ(r.end, 13 * kBlock);
  r = HeapHugePages::whole_blocks(10 * kBlock + 4096, 13 * kBlock - 1);
  EXPECT_EQ(r.begin, 11 * kBlock);  // the block the range starts inside is left
  EXPECT_EQ(r.end, 12 * kBlock);    // and so is the one it ends inside
  EXPECT_TRUE(HeapHugePages::whole_blocks(10 * kBlock + 1, 11 * kBlock + 5).empty());
}

// The VmFlags of the mapping that holds `address`, from /proc/self/smaps.
std::string vm_flags_at(uintptr_t address) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find('-') < 17) {
      inside = lo <= address && address < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

// Small allocations come from the brk heap. Where the break moves (glibc's
// malloc), the new whole blocks are advised and the kernel marks them "hg";
// where it does not (a sanitizer's allocator), nothing is advised.
TEST(HeapHugePages, AdvisesTheHeapAsItGrows) {
  HeapHugePages pages;
  const auto before = reinterpret_cast<uintptr_t>(::sbrk(0));
  pages.refresh();
  EXPECT_EQ(pages.bytes_advised(), 0u);  // nothing grew yet
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 12 * 1024; ++i) blocks.emplace_back(new char[4000]);  // ~48 MB
  const auto after = reinterpret_cast<uintptr_t>(::sbrk(0));
  pages.refresh();
  const HeapHugePages::Range grown = HeapHugePages::whole_blocks(before, after);
  if (grown.empty()) {
    EXPECT_EQ(pages.bytes_advised(), 0u);
    return;
  }
  EXPECT_EQ(pages.bytes_advised(), grown.end - grown.begin);
  const std::string flags = vm_flags_at(grown.begin);
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
  pages.refresh();  // a second look at the same break advises nothing more
  EXPECT_EQ(pages.bytes_advised(), grown.end - grown.begin);
}

}  // namespace
}  // namespace tcpflow
