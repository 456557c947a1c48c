#include "proxy/relay_buffer.h"

#include <algorithm>

namespace tcpflow::proxy {

void RelayBuffer::push(ByteView bytes) {
  if (bytes.size() == 0) return;
  if (head_ > 0 && head_ >= data_.size() / 2) {  // reuse the consumed front
    data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  data_.insert(data_.end(), bytes.data(), bytes.data() + bytes.size());
}

void RelayBuffer::consume(size_t count) {
  head_ += std::min(count, held());
  if (head_ == data_.size()) {
    // Idle connections keep no memory: thousands of them stay cheap.
    std::vector<uint8_t>().swap(data_);
    head_ = 0;
  }
}

}  // namespace tcpflow::proxy
