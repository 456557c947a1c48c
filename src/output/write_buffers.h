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
#include <vector>

#include "output/buffer_pool.h"

namespace tcpflow::output {

class WriteBuffers {
 public:
  using Buffer = BufferPool::Buffer;
  static constexpr size_t kBufferSize = 16 * 1024;
  static constexpr size_t kLargeBufferSize = 128 * 1024;
  // Small buffers: 1024 x 16 KiB = 16 MiB at most. When this thread wrote
  // the files, 2048 were worth their memory (W1 in tests/bench, a thousand
  // connections at once, ran 20-30% faster than with 1024, making 184k
  // pwrites instead of 346k). With the writer thread doing the writes, an
  // unbuffered segment costs this thread only a copy: 1024 measure the same
  // on W1, ~10% slower on C1000, and keep memory lower.
  static constexpr size_t kMaxBuffers = 1024;
  // Crowded beyond this many open sinks: at most a quarter of them could
  // hold a buffer. C1000's 2,000 directions stay below it.
  static constexpr size_t kCrowdedSinks = 4 * kMaxBuffers;

  // Null when all are in use, or while crowded.
  Buffer reserve_buffer() {
    return crowded() ? nullptr : small_.reserve();
  }
  void release_buffer(Buffer buffer) {
    small_.release(std::move(buffer), !crowded());
  }
  size_t buffers_in_use() const { return small_.in_use(); }

  // Null when all are in use, or while most small buffers are (many flows
  // at once: memory is better spent on buffering many flows than a few).
  Buffer reserve_large_buffer() {
    if (crowded() || small_.in_use() * 4 > small_.max_buffers() * 3) return nullptr;
    return large_.reserve();
  }
  void release_large_buffer(Buffer buffer) {
    large_.release(std::move(buffer), !crowded());
  }
  size_t large_buffers_in_use() const { return large_.in_use(); }

  // Holds a buffer it can give back when asked: it writes out what the
  // buffer holds and releases it.
  class Holder {
   public:
    virtual void give_back_buffer() = 0;

   protected:
    ~Holder() = default;

   private:
    friend class WriteBuffers;
    size_t holder_slot_ = 0;
  };
  void holding(Holder& holder) {
    holder.holder_slot_ = holders_.size();
    holders_.push_back(&holder);
  }
  void not_holding(Holder& holder) {
    Holder* last = holders_.back();
    holders_[holder.holder_slot_] = last;
    last->holder_slot_ = holder.holder_slot_;
    holders_.pop_back();
  }

  // The flow file sinks open now, which decide whether buffers pay. On
  // becoming crowded, the holders give their buffers back: the first flows
  // of a crowd took them, and a short direction keeps its buffer unflushed
  // until it closes.
  void sink_opened() {
    if (++open_sinks_ != kCrowdedSinks + 1) return;
    std::vector<Holder*> holders = holders_;
    for (Holder* holder : holders) holder->give_back_buffer();
  }
  void sink_closed() { --open_sinks_; }
  // Far more flows open than there are buffers: the few flows that hold one
  // save little, and the memory is better left to the flows' own state
  // (30,000 connections at once: 16 MB of buffers for 3% of the flows). So
  // no buffers are handed out, and those given back are freed, while so.
  bool crowded() const { return open_sinks_ > kCrowdedSinks; }

 private:
  // 96 x 128 KiB = 12 MiB at most: W1 and W3 stay well inside tcpflow
  // 1.6.1's peak RSS + 64 MB.
  static constexpr size_t kMaxLargeBuffers = 96;

  BufferPool small_{kBufferSize, kMaxBuffers};
  BufferPool large_{kLargeBufferSize, kMaxLargeBuffers};
  size_t open_sinks_ = 0;
  std::vector<Holder*> holders_;  // each at its holder_slot_
};

}  // namespace tcpflow::output
