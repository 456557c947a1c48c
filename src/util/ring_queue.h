// A first-in first-out queue in one growing array whose slots are reused:
// no allocation per item once it has grown to its working size. std::deque
// allocates a block per item when items are larger than its 512-byte blocks
// (a closed flow's facts are), which cost a malloc and a free per closed
// flow. Items are moved in and out; a popped slot keeps its moved-from
// object until it is reused.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

namespace tcpflow {

template <typename T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  void push_back(T item) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)] = std::move(item);
    ++size_;
  }
  T& front() { return slots_[head_]; }
  const T& front() const { return slots_[head_]; }
  // Moves the front item out.
  T take_front() {
    T item = std::move(slots_[head_]);
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
    return item;
  }

 private:
  void grow() {
    std::vector<T> bigger(slots_.empty() ? 16 : slots_.size() * 2);
    for (size_t i = 0; i < size_; ++i) {
      bigger[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
    }
    slots_.swap(bigger);
    head_ = 0;
  }

  std::vector<T> slots_;  // a power of two in size
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace tcpflow
