// The flow file sinks' write buffers, shared out under a cap so thousands
// of open flows do not each pin one; a flow without a buffer writes straight
// through. A buffer grows with its flow (see Tier): a long flow (one that
// has filled its small buffer a few times) trades it for a large one, so its
// bytes reach the file in 128 KiB writes: on ext4, 3.7 GB in 16 KiB pwrites
// cost 3.3 s of kernel time, in 256 KiB ones 1.5 s.
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
  // A flow's buffer grows with it: a direction starts with a tiny one, trades
  // it (by copying) for a small one when it fills, and after a few fills of
  // that for a large one. Most directions are short: W1's median file is
  // 9.6 KB, three quarters are under 16 KiB. With 16 KiB buffers only, its
  // 2,000 open directions shared 1,024 buffers, and the half without one
  // wrote each segment on its own: 29,651 pwrites for 10,000 files. Tiny
  // buffers first let every direction hold one for the memory of a quarter
  // of them, and the file is mostly written in one pwrite at its close.
  enum class Tier : uint8_t { kTiny, kSmall, kLarge };
  static constexpr size_t kTinyBufferSize = 4 * 1024;
  static constexpr size_t kBufferSize = 16 * 1024;
  static constexpr size_t kLargeBufferSize = 128 * 1024;
  static constexpr size_t capacity(Tier tier) {
    return tier == Tier::kTiny ? kTinyBufferSize
           : tier == Tier::kSmall ? kBufferSize
                                  : kLargeBufferSize;
  }
  // Small buffers: 1024 x 16 KiB = 16 MiB at most, for the directions that
  // outgrow a tiny one; the others stay in 4 KiB each.
  static constexpr size_t kMaxBuffers = 1024;
  // Crowded beyond this many open sinks: at most a quarter of them could
  // hold a small buffer. C1000's 2,000 directions stay below it.
  static constexpr size_t kCrowdedSinks = 4 * kMaxBuffers;
  // Enough for every sink open while not crowded: 16 MiB at most.
  static constexpr size_t kMaxTinyBuffers = kCrowdedSinks;

  // Null when all of the tier are in use, or while crowded. A large buffer
  // is also refused while most small buffers are in use (many flows at once:
  // memory is better spent on buffering many flows than a few).
  Buffer reserve(Tier tier) {
    if (crowded()) return nullptr;
    if (tier == Tier::kLarge && small_.in_use() * 4 > small_.max_buffers() * 3) return nullptr;
    return pool(tier).reserve();
  }
  void release(Buffer buffer, Tier tier) {
    pool(tier).release(std::move(buffer), !crowded() || forming_crowd_);
  }
  size_t in_use(Tier tier) const { return pool(tier).in_use(); }

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
    // Thousands of buffers come back: their memory is discarded at once.
    forming_crowd_ = true;
    for (Holder* holder : holders) holder->give_back_buffer();
    forming_crowd_ = false;
    for (Tier tier : {Tier::kTiny, Tier::kSmall, Tier::kLarge}) pool(tier).discard_free();
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

  BufferPool& pool(Tier tier) {
    return tier == Tier::kTiny ? tiny_ : tier == Tier::kSmall ? small_ : large_;
  }
  const BufferPool& pool(Tier tier) const {
    return tier == Tier::kTiny ? tiny_ : tier == Tier::kSmall ? small_ : large_;
  }

  BufferPool tiny_{kTinyBufferSize, kMaxTinyBuffers};
  BufferPool small_{kBufferSize, kMaxBuffers};
  BufferPool large_{kLargeBufferSize, kMaxLargeBuffers};
  size_t open_sinks_ = 0;
  bool forming_crowd_ = false;  // in sink_opened(), while the holders give back
  std::vector<Holder*> holders_;  // each at its holder_slot_
};

}  // namespace tcpflow::output
