// Fixed-size write buffers handed out under a cap and kept for reuse once
// given back (a short flow takes one and returns it: two million times on a
// million-connection capture), so flows neither pin memory each nor
// allocate per flow.
//
// The buffers are slots of one arena, mapped when the first is taken and
// advised to the kernel as huge pages: a 4 KiB page's first touch costs a
// fault, and in a virtual machine each fault is dear (W1's packet thread
// spent a fifth of its time faulting in buffer pages; huge pages fault once
// per 2 MiB). Slots are reused last-in first-out, so the touched part of
// the arena stays small when few flows are open.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace tcpflow::output {

class BufferPool {
 public:
  // A buffer stays the pool's: it goes back with release(), and dropping
  // the handle frees nothing.
  struct Slot {
    void operator()(uint8_t*) const {}
  };
  using Buffer = std::unique_ptr<uint8_t[], Slot>;

  BufferPool(size_t buffer_size, size_t max_buffers)
      : buffer_size_(buffer_size), max_buffers_(max_buffers) {}
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // Null when `max_buffers` are out (or the arena cannot be mapped). The
  // bytes are not zeroed: only written bytes are ever read.
  Buffer reserve();
  // `keep` false: the buffer's memory goes back to the kernel, and once
  // none is out, the whole arena's.
  void release(Buffer buffer, bool keep = true);
  // The memory of every buffer not out goes back to the kernel: one call
  // after many buffers were released with `keep` (one madvise, not one each).
  void discard_free();

  size_t in_use() const { return in_use_; }
  size_t max_buffers() const { return max_buffers_; }

 private:
  bool map_arena();
  void discard(size_t offset, size_t length);

  const size_t buffer_size_;
  const size_t max_buffers_;
  size_t in_use_ = 0;
  uint8_t* arena_ = nullptr;  // max_buffers_ slots, aligned to a huge page
  void* mapping_ = nullptr;   // the whole mapping, alignment slack included
  size_t mapping_size_ = 0;
  bool small_pages_ = false;  // huge pages no longer advised (see discard())
  size_t never_used_ = 0;     // slots from here on were never handed out
  std::vector<uint32_t> free_slots_;  // given back, the latest last
};

}  // namespace tcpflow::output
