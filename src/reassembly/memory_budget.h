// A byte budget shared by every reassembler (and the defragmenter), so the
// total out-of-order data held in memory stays bounded.
#pragma once
#include <cstdint>

namespace tcpflow::reassembly {

class MemoryBudget {
 public:
  explicit MemoryBudget(uint64_t limit) : limit_(limit) {}
  bool try_reserve(uint64_t bytes) {
    if (bytes > limit_ - used_) {
      ++refusals_;
      return false;
    }
    used_ += bytes;
    if (used_ > peak_) peak_ = used_;
    return true;
  }
  void release(uint64_t bytes) { used_ = bytes > used_ ? 0 : used_ - bytes; }
  uint64_t used() const { return used_; }
  uint64_t limit() const { return limit_; }
  uint64_t peak() const { return peak_; }
  uint64_t refusals() const { return refusals_; }

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
  uint64_t peak_ = 0;
  uint64_t refusals_ = 0;
};

}  // namespace tcpflow::reassembly
