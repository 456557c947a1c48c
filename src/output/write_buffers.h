// The flow file sinks' write buffers, shared out under a cap so thousands
// of open flows do not each pin one; a flow without a buffer writes straight
// through. A long flow (one that has filled its small buffer a few times)
// trades it for a large one, so its bytes reach the file in 128 KiB writes:
// on ext4, 3.7 GB in 16 KiB pwrites cost 3.3 s of kernel time, in 256 KiB
// ones 1.5 s.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "output/buffer_pool.h"

namespace tcpflow::output {

class WriteBuffers {
 public:
  static constexpr size_t kBufferSize = 16 * 1024;
  static constexpr size_t kLargeBufferSize = 128 * 1024;

  std::unique_ptr<uint8_t[]> reserve_buffer() { return small_.reserve(); }  // null: all in use
  void release_buffer(std::unique_ptr<uint8_t[]> buffer) { small_.release(std::move(buffer)); }
  size_t buffers_in_use() const { return small_.in_use(); }

  // Null when all are in use, or while most small buffers are (many flows
  // at once: memory is better spent on buffering many flows than a few).
  std::unique_ptr<uint8_t[]> reserve_large_buffer() {
    if (small_.in_use() * 4 > small_.max_buffers() * 3) return nullptr;
    return large_.reserve();
  }
  void release_large_buffer(std::unique_ptr<uint8_t[]> buffer) {
    large_.release(std::move(buffer));
  }
  size_t large_buffers_in_use() const { return large_.in_use(); }

 private:
  // 1024 x 16 KiB = 16 MiB at most. When this thread wrote the files, 2048
  // were worth their memory (W1 in tests/bench, a thousand connections at
  // once, ran 20-30% faster than with 1024, making 184k pwrites instead of
  // 346k). With the writer thread doing the writes, an unbuffered segment
  // costs this thread only a copy: 1024 measure the same on W1, ~10% slower
  // on C1000, and keep 30,000 concurrent connections (C30000) 14 MB lower,
  // inside tcpflow 1.6.1's peak RSS + 64 MB.
  static constexpr size_t kMaxBuffers = 1024;
  // 96 x 128 KiB = 12 MiB at most: W1 and W3 stay well inside tcpflow
  // 1.6.1's peak RSS + 64 MB.
  static constexpr size_t kMaxLargeBuffers = 96;

  BufferPool small_{kBufferSize, kMaxBuffers};
  BufferPool large_{kLargeBufferSize, kMaxLargeBuffers};
};

}  // namespace tcpflow::output
