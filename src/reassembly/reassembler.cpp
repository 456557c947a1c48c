// Segment classification, stream start, shifting and finish. The overlap and
// out-of-order machinery is in reassembler_overlap.cpp.
#include "reassembly/reassembler.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "util/seq32.h"

namespace tcpflow::reassembly {

namespace {
// decode::TcpFlag values; reassembly depends on util only, so they are repeated.
constexpr uint8_t kFinFlag = 0x01;
constexpr uint8_t kSynFlag = 0x02;
// The first sequence number is unwrapped to seq + 2^32, so a later SYN or
// retransmission below it is still a positive 64-bit position.
constexpr int64_t kSeqSpace = int64_t{1} << 32;
// Offsets stay far below the int64 range whatever the sequence numbers do.
constexpr int64_t kMaxOffset = int64_t{1} << 62;
// No IP packet is this large; the bound keeps every offset sum in range.
constexpr size_t kMaxPayload = size_t{1} << 30;
// Bounds the bookkeeping a hostile pattern of tiny disjoint ranges can create.
constexpr size_t kMaxRanges = 16384;
}  // namespace

Reassembler::Reassembler(StreamSink& sink, const ReassemblyLimits& limits, OverlapPolicy policy,
                         MemoryBudget& shared_budget, ReassemblyStats* stats)
    : sink_(sink),
      limits_(limits),
      policy_(policy),
      budget_(shared_budget),
      own_stats_(stats ? nullptr : std::make_unique<ReassemblyStats>()),
      stats_(stats ? *stats : *own_stats_),
      in_sink_(kMaxRanges),
      weak_(kMaxRanges) {}

Reassembler::~Reassembler() { budget_.release(held_bytes_); }

bool Reassembler::fin_complete() const { return fin_seen_ && next_offset_ >= fin_offset_; }

AddStatus Reassembler::add(const Segment& segment) {
  const bool was_started = started_;
  const int64_t base_before = base_seq64_;
  const AddStatus status = accept(segment);
  if (hold_.active()) update_hold(segment, !was_started, base_before);
  return status;
}

AddStatus Reassembler::accept(const Segment& segment) {
  if (finished_) return AddStatus::kDuplicate;
  const bool syn = (segment.flags & kSynFlag) != 0;
  const bool fin = (segment.flags & kFinFlag) != 0;
  const ByteView payload = segment.payload.first(kMaxPayload);
  if (payload.empty() && !syn && !fin) {  // pure ACK
    count_corruption(segment);
    return AddStatus::kDuplicate;
  }

  // The SYN occupies one sequence number: its data starts at seq + 1.
  const int64_t seq64 =
      started_ ? unwrap_seq(reference64_, segment.seq) : int64_t{segment.seq} + kSeqSpace;
  const int64_t data_seq64 = seq64 + (syn ? 1 : 0);
  const auto size = static_cast<int64_t>(payload.size());
  bool news = false;  // state changed even if no byte is stored
  if (!started_) {
    started_ = true;
    base_seq64_ = data_seq64;
    reference64_ = data_seq64;
    if (syn) {
      syn_seen_ = true;
      isn_ = segment.seq;
      news = true;
    } else {
      hold_.begin(segment.ts);
    }
  } else {
    const int64_t start = data_seq64 - base_seq64_;
    if ((size > 0 || fin) && is_jump(start, start + size)) return AddStatus::kJump;
    if (syn && !syn_seen_) {
      note_first_syn(segment.seq, seq64);
      news = true;
    }
  }
  reference64_ = std::max(reference64_, data_seq64 + size);
  if (size > 0) {
    ++stats_.segments;
    stats_.payload_bytes += payload.size();
  }
  count_corruption(segment);
  if (payload.empty() && !fin) return news ? AddStatus::kAccepted : AddStatus::kDuplicate;

  const int64_t start = data_seq64 - base_seq64_;
  // A keepalive probe repeats the last acknowledged byte (often with garbage).
  const uint64_t delivered_end = hold_.active() ? held_run_end() : next_offset_;
  if (!syn && !fin && size == 1 && delivered_end > 0 &&
      start == static_cast<int64_t>(delivered_end) - 1) {
    return AddStatus::kDuplicate;
  }
  return place(segment, start, payload, news);
}

void Reassembler::count_corruption(const Segment& segment) {
  if (segment.checksum_bad) ++stats_.bad_checksum_segments;
  if (segment.ip_header_bad) ++stats_.bad_ip_checksum_segments;
}

bool Reassembler::is_jump(int64_t start, int64_t end) const {
  const uint64_t max_seek = limits_.max_seek;
  if (end > kMaxOffset || start < -kMaxOffset) return true;
  if (start > 0 && static_cast<uint64_t>(start) > seen_end_ &&
      static_cast<uint64_t>(start) - seen_end_ > max_seek) {
    return true;
  }
  const auto contiguous = static_cast<int64_t>(next_offset_);
  if (end<contiguous&& static_cast<uint64_t>(contiguous - end)> max_seek) return true;
  return !syn_seen_ && start < 0 && static_cast<uint64_t>(-start) > max_seek;
}

void Reassembler::note_first_syn(uint32_t seq, int64_t syn_seq64) {
  syn_seen_ = true;
  isn_ = seq;
  const int64_t new_base = syn_seq64 + 1;
  if (new_base >= base_seq64_) return;  // data before ISN+1 was already kept
  const auto delta = static_cast<uint64_t>(base_seq64_ - new_base);
  if (delta <= limits_.max_seek) rebase(delta);
}

AddStatus Reassembler::place(const Segment& segment, int64_t start, ByteView payload, bool news) {
  if (start < 0 && !syn_seen_ && !payload.empty()) {
    const auto delta = static_cast<uint64_t>(-start);
    if (rebase(delta)) start = 0;
  }
  if (start < 0) {
    const int64_t end = start + static_cast<int64_t>(payload.size());
    if (end <= 0) {
      ++stats_.before_start_segments;
      return AddStatus::kBeforeStart;
    }
    payload = payload.subview(static_cast<size_t>(-start));
    start = 0;
  }
  const auto offset = static_cast<uint64_t>(start);
  const uint64_t untrimmed_end = offset + payload.size();
  seen_end_ = std::max(seen_end_, untrimmed_end);
  if ((segment.flags & kFinFlag) != 0 && !fin_seen_) {
    fin_seen_ = true;
    // With -b the bytes past the cap never come, so completion stops there.
    fin_offset_ = std::min(untrimmed_end, limits_.max_stored);
    news = true;
  }
  if (untrimmed_end > limits_.max_stored) {
    const uint64_t keep = offset >= limits_.max_stored ? 0 : limits_.max_stored - offset;
    stats_.capped_bytes += payload.size() - keep;
    payload = payload.first(static_cast<size_t>(keep));
  }
  if (payload.empty()) return news ? AddStatus::kAccepted : AddStatus::kDuplicate;
  const uint64_t end = offset + payload.size();

  if (offset == next_offset_ && held_.empty() && in_sink_.empty() && !hold_.active()) {
    // In order with nothing pending: hand the packet's bytes straight through.
    write_sink(offset, payload, segment.ts);
    if (segment.corrupted()) weak_.add(offset, end);
    next_offset_ = end;
    highest_end_ = std::max(highest_end_, end);
    return AddStatus::kAccepted;
  }
  AddContext ctx{segment, offset, payload, OverlapRun{}, false};
  insert(ctx);
  return ctx.changed || news ? AddStatus::kAccepted : AddStatus::kDuplicate;
}

bool Reassembler::rebase(uint64_t delta) {
  if (delta == 0) return true;
  if (sink_has_data_) {
    if (!sink_.shift(delta)) return false;
    ++stats_.shifts;
  }
  base_seq64_ -= static_cast<int64_t>(delta);
  // What was contiguous from 0 now starts at delta: covered, but after a hole.
  in_sink_.shift(delta);
  if (next_offset_ > 0) in_sink_.add(delta, next_offset_ + delta, /*force=*/true);
  next_offset_ = 0;
  weak_.shift(delta);
  if (!held_.empty()) {
    BlockMap moved;
    for (auto& [offset, block] : held_)
      moved.emplace_hint(moved.end(), offset + delta, std::move(block));
    held_.swap(moved);
  }
  if (highest_end_ > 0) highest_end_ += delta;
  seen_end_ += delta;
  if (fin_seen_) fin_offset_ += delta;
  for (ByteRange& conflict : stats_.conflicts) conflict.offset += delta;
  apply_cap_after_shift();
  return true;
}

void Reassembler::apply_cap_after_shift() {
  const uint64_t cap = limits_.max_stored;
  if (fin_seen_) fin_offset_ = std::min(fin_offset_, cap);
  if (highest_end_ <= cap) return;
  // Held bytes pushed past -b by the shift are dropped; bytes already in the
  // sink stay where the sink moved them.
  while (!held_.empty()) {
    auto last = std::prev(held_.end());
    const uint64_t start = last->first;
    const uint64_t size = last->second.data.size();
    if (start + size <= cap) break;
    const uint64_t keep = start >= cap ? 0 : cap - start;
    stats_.capped_bytes += size - keep;
    release_block(size - keep);
    if (keep == 0) {
      held_.erase(last);
      continue;
    }
    last->second.data.resize(static_cast<size_t>(keep));
    last->second.data.shrink_to_fit();
    break;
  }
  // The sink may hold moved bytes up to the cap; with nothing in it yet (the
  // midstream hold), only the held blocks count.
  uint64_t stored_end = sink_has_data_ ? cap : next_offset_;
  if (!held_.empty()) {
    const auto& last = *std::prev(held_.end());
    stored_end = std::max<uint64_t>(stored_end, last.first + last.second.data.size());
  }
  if (!in_sink_.empty()) stored_end = std::max(stored_end, in_sink_.back().end);
  highest_end_ = std::min(highest_end_, stored_end);
}

void Reassembler::finish() {
  if (finished_) return;
  finished_ = true;
  hold_.end();
  drain();
  // Walk held blocks and in-sink ranges together in offset order; whatever
  // neither covers between next_offset_ and highest_end_ is a hole.
  uint64_t cursor = next_offset_;
  auto block = held_.begin();
  auto spilled = in_sink_.begin();
  while (block != held_.end() || spilled != in_sink_.end()) {
    const bool take_block =
        spilled == in_sink_.end() || (block != held_.end() && block->first < spilled->first);
    const uint64_t start = take_block ? block->first : spilled->first;
    const uint64_t end = take_block ? start + block->second.data.size() : spilled->second;
    if (start > cursor) stats_.gaps.push_back({cursor, start - cursor});
    if (take_block) {
      const auto& data = block->second.data;
      write_sink(start, ByteView(data.data(), data.size()), block->second.ts);
      ++block;
    } else {
      ++spilled;
    }
    cursor = std::max(cursor, end);
  }
  if (cursor < highest_end_) stats_.gaps.push_back({cursor, highest_end_ - cursor});
  release_block(held_bytes_);
  BlockMap().swap(held_);
  in_sink_.clear();
  weak_.clear();
}

}  // namespace tcpflow::reassembly
