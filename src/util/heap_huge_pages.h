// Backs the malloc heap's new memory with transparent huge pages, as glibc's
// glibc.malloc.hugetlb=1 tunable does, without asking users to set it in
// the environment. Debian's kernels give huge pages only to memory that asks
// (transparent_hugepage=madvise). At 30,000 concurrent connections the packet
// thread faulted in some 80 MB of heap 4 KiB at a time: 19,500 faults, each
// dear in a virtual machine. With huge pages that run took 9% less wall and
// 11% less CPU.
//
// glibc grows its main heap with brk and offers no hook, so the owner calls
// refresh() now and then (every few dozen packets): it compares the break
// with what was advised and advises the new part. The heap grows in
// kGrowthStep steps (M_TOP_PAD), so a fresh 2 MiB block lies wholly inside it
// before anything touches it; brk space asked for but never touched is not
// memory. A heap that is not brk's (another allocator, a sanitizer's)
// simply never moves the break.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tcpflow {

class HeapHugePages {
 public:
  static constexpr size_t kHugePage = 2 * 1024 * 1024;
  static constexpr size_t kGrowthStep = 16 * 1024 * 1024;

  // Sets M_TOP_PAD (and M_MMAP_THRESHOLD and M_TRIM_THRESHOLD, which
  // setting it would otherwise pin at 128 KiB) and takes the break as the
  // point advised from. Process-wide settings: one per process.
  HeapHugePages();
  HeapHugePages(const HeapHugePages&) = delete;
  HeapHugePages& operator=(const HeapHugePages&) = delete;

  // Advises the heap grown since the last call. A compare when it has not.
  void refresh();

  // The whole 2 MiB blocks of [from, to): what refresh() advises.
  struct Range {
    uintptr_t begin = 0;
    uintptr_t end = 0;
    bool empty() const { return end <= begin; }
  };
  static Range whole_blocks(uintptr_t from, uintptr_t to);

  uint64_t bytes_advised() const { return bytes_advised_; }

 private:
  uintptr_t advised_to_ = 0;  // the heap below this has been dealt with
  uint64_t bytes_advised_ = 0;
};

}  // namespace tcpflow
