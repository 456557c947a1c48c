// Fixed-size write buffers handed out under a cap and kept for reuse once
// given back (a short flow takes one and returns it: two million times on a
// million-connection capture), so flows neither pin memory each nor
// allocate per flow.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace tcpflow::output {

class BufferPool {
 public:
  BufferPool(size_t buffer_size, size_t max_buffers)
      : buffer_size_(buffer_size), max_buffers_(max_buffers) {}

  // Null when `max_buffers` are out. The bytes are not zeroed: only written
  // bytes are ever read.
  std::unique_ptr<uint8_t[]> reserve() {
    if (in_use_ >= max_buffers_) return nullptr;
    ++in_use_;
    if (spares_.empty()) return std::unique_ptr<uint8_t[]>(new uint8_t[buffer_size_]);
    std::unique_ptr<uint8_t[]> buffer = std::move(spares_.back());
    spares_.pop_back();
    return buffer;
  }

  // `keep` false: the buffer is freed, and so are the spares.
  void release(std::unique_ptr<uint8_t[]> buffer, bool keep = true) {
    if (!buffer) return;
    --in_use_;
    if (keep) {
      spares_.push_back(std::move(buffer));
    } else {
      spares_.clear();
      spares_.shrink_to_fit();
    }
  }

  size_t in_use() const { return in_use_; }
  size_t max_buffers() const { return max_buffers_; }

 private:
  const size_t buffer_size_;
  const size_t max_buffers_;
  size_t in_use_ = 0;
  std::vector<std::unique_ptr<uint8_t[]>> spares_;
};

}  // namespace tcpflow::output
