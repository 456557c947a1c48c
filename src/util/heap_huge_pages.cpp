#include "util/heap_huge_pages.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

namespace tcpflow {

namespace {

// glibc moves a freed chunk's size into its mmap threshold (up to 32 MiB)
// unless M_TOP_PAD or M_MMAP_THRESHOLD was set; setting the pad alone would
// leave every buffer of 128 KiB or more to its own mmap. 4 MiB keeps large
// buffers on the heap as the dynamic threshold would have, and the trim
// threshold is twice that, as that rule sets it.
constexpr int kMmapThreshold = 4 * 1024 * 1024;

uintptr_t current_break() { return reinterpret_cast<uintptr_t>(::sbrk(0)); }

}  // namespace

HeapHugePages::HeapHugePages() {
  ::mallopt(M_TOP_PAD, static_cast<int>(kGrowthStep));
  ::mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  ::mallopt(M_TRIM_THRESHOLD, 2 * kMmapThreshold);  // what the dynamic rule pairs with it
  advised_to_ = current_break();
}

HeapHugePages::Range HeapHugePages::whole_blocks(uintptr_t from, uintptr_t to) {
  Range range;
  range.begin = (from + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  range.end = to & ~(uintptr_t{kHugePage} - 1);
  return range;
}

void HeapHugePages::refresh() {
  const uintptr_t brk_now = current_break();
  if (brk_now < advised_to_) {  // trimmed: memory it regrows is new to advise
    advised_to_ = brk_now;
    return;
  }
  if (brk_now <= advised_to_ + kHugePage) return;
  const Range blocks = whole_blocks(advised_to_, brk_now);
  if (blocks.empty()) return;
  // Advice only: a kernel without transparent huge pages says EINVAL, and
  // the heap works as before.
  if (::madvise(reinterpret_cast<void*>(blocks.begin), blocks.end - blocks.begin,
                MADV_HUGEPAGE) == 0) {
    bytes_advised_ += blocks.end - blocks.begin;
  }
  advised_to_ = blocks.end;
}

}  // namespace tcpflow
