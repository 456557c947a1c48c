// The bytes read from one side of a proxied connection that the other side
// has not taken yet. Bounded: once `capacity` bytes wait, the proxy stops
// reading from the sending side (back-pressure) until the receiver drains
// them. Holds no memory while empty, which is the usual state: bytes are
// first offered to the receiver straight from the read.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/byte_view.h"

namespace tcpflow::proxy {

class RelayBuffer {
 public:
  explicit RelayBuffer(size_t capacity) : capacity_(capacity ? capacity : 1) {}

  size_t held() const { return data_.size() - head_; }
  bool empty() const { return held() == 0; }
  // How many more bytes may be read from the sender now.
  size_t room() const { return held() >= capacity_ ? 0 : capacity_ - held(); }
  size_t capacity() const { return capacity_; }

  // Queues `bytes` (at most room()).
  void push(ByteView bytes);
  // The bytes waiting, oldest first.
  ByteView front() const { return ByteView(data_.data() + head_, held()); }
  // The receiver took the first `count` bytes of front().
  void consume(size_t count);

 private:
  size_t capacity_;
  std::vector<uint8_t> data_;
  size_t head_ = 0;
};

}  // namespace tcpflow::proxy
