// The slow path of Reassembler::add(): overlap comparison against delivered,
// held and spilled bytes, the bad-checksum replacement rule, conflict
// accounting, and holding or spilling out-of-order bytes.
#include <algorithm>
#include <cstring>
#include <iterator>

#include "reassembly/reassembler.h"

namespace tcpflow::reassembly {

namespace {
constexpr size_t kReadBackChunk = 1024;      // stack buffer for sink comparisons
constexpr size_t kMaxConflictRanges = 1000;  // stats.conflicts keeps counting past this
constexpr size_t kMaxHeldBlocks = 16384;     // bounds per-block overhead the budget does not see

uint64_t count_differing(const uint8_t* a, const uint8_t* b, size_t n) {
  if (std::memcmp(a, b, n) == 0) return 0;
  uint64_t differing = 0;
  for (size_t i = 0; i < n; ++i) differing += a[i] != b[i];
  return differing;
}
}  // namespace

void Reassembler::insert(AddContext& ctx) {
  const uint64_t end = ctx.start + ctx.payload.size();
  uint64_t pos = ctx.start;
  if (pos < next_offset_) {
    const uint64_t stop = std::min(end, next_offset_);
    compare_existing(ctx, pos, stop, nullptr, 0);
    pos = stop;
  }
  // Each step either compares against one covered range or stores one
  // uncovered piece, so the loop runs at most (ranges overlapped + 1) * 2 times.
  // Containers are re-queried every step because store_new() may drain.
  while (pos < end) {
    auto block = held_at_or_after(pos);
    IntervalSet::Range spilled;
    const bool have_spilled = in_sink_.find_from(pos, spilled);
    if (block != held_.end() && block->first <= pos) {
      const uint64_t stop = std::min(end, block->first + block->second.data.size());
      compare_existing(ctx, pos, stop, block->second.data.data(), block->first);
      pos = stop;
    } else if (have_spilled && spilled.start <= pos) {
      const uint64_t stop = std::min(end, spilled.end);
      compare_existing(ctx, pos, stop, nullptr, 0);
      pos = stop;
    } else {
      uint64_t stop = end;
      if (block != held_.end()) stop = std::min(stop, block->first);
      if (have_spilled) stop = std::min(stop, spilled.start);
      end_run(ctx.run);
      store_new(ctx, pos, stop);
      pos = stop;
    }
  }
  end_run(ctx.run);
  drain();
}

Reassembler::BlockMap::iterator Reassembler::held_at_or_after(uint64_t pos) {
  auto it = held_.upper_bound(pos);
  if (it != held_.begin()) {
    auto prev = std::prev(it);
    if (prev->first + prev->second.data.size() > pos) return prev;
  }
  return it;
}

void Reassembler::compare_existing(AddContext& ctx, uint64_t from, uint64_t to, uint8_t* held,
                                   uint64_t held_start) {
  uint64_t pos = from;
  while (pos < to) {
    bool existing_weak = false;
    uint64_t stop = to;
    IntervalSet::Range weak;
    if (weak_.find_from(pos, weak)) {
      existing_weak = weak.start <= pos;
      stop = std::min(to, existing_weak ? weak.end : weak.start);
    }
    const ByteView fresh = ctx.payload.subview(pos - ctx.start, stop - pos);
    overlap(ctx, pos, fresh, held ? held + (pos - held_start) : nullptr, existing_weak);
    pos = stop;
  }
}

void Reassembler::overlap(AddContext& ctx, uint64_t at, ByteView fresh, uint8_t* held,
                          bool existing_weak) {
  const uint64_t n = fresh.size();
  const bool fresh_weak = ctx.segment.corrupted();
  uint64_t differing = 0;
  bool comparable = true;
  if (held) {
    differing = count_differing(held, fresh.data(), fresh.size());
  } else {
    comparable = diff_with_sink(at, fresh, differing);
  }

  if (existing_weak && !fresh_weak) {
    // A good copy beats a bad one; that is a repair, not a conflict.
    end_run(ctx.run);
    stats_.bad_checksum_replaced += n;
    if (!comparable || differing > 0) {
      if (held) {
        std::memcpy(held, fresh.data(), fresh.size());
      } else {
        write_sink(at, fresh, ctx.segment.ts);
      }
      ctx.changed = true;
    }
    weak_.remove(at, at + n);
    return;
  }
  if (!comparable) {
    // The sink cannot show what it has (console): assume a retransmission.
    stats_.duplicate_bytes += n;
    end_run(ctx.run);
    return;
  }
  stats_.duplicate_bytes += n - differing;
  if (fresh_weak && !existing_weak) {
    end_run(ctx.run);  // a bad copy never replaces good bytes nor counts as a conflict
    return;
  }
  extend_run(ctx.run, at, at + n, differing);
  if (differing > 0 && policy_ == OverlapPolicy::kLastWins) {
    if (held) {
      std::memcpy(held, fresh.data(), fresh.size());
    } else {
      write_sink(at, fresh, ctx.segment.ts);
    }
    ctx.changed = true;
  }
}

bool Reassembler::diff_with_sink(uint64_t offset, ByteView fresh, uint64_t& differing) {
  uint8_t buffer[kReadBackChunk];
  differing = 0;
  for (size_t done = 0; done < fresh.size();) {
    const size_t len = std::min(kReadBackChunk, fresh.size() - done);
    if (!sink_.read_back(offset + done, buffer, len)) return false;
    differing += count_differing(buffer, fresh.data() + done, len);
    done += len;
  }
  return true;
}

void Reassembler::extend_run(OverlapRun& run, uint64_t from, uint64_t to, uint64_t differing) {
  if (run.active && run.end == from) {
    run.end = to;
    run.differing += differing;
    return;
  }
  end_run(run);
  run = OverlapRun{from, to, differing, true};
}

void Reassembler::end_run(OverlapRun& run) {
  if (run.active && run.differing > 0) {
    record_conflict(run.start, run.end - run.start, run.differing);
  }
  run.active = false;
}

void Reassembler::record_conflict(uint64_t offset, uint64_t length, uint64_t differing) {
  ++stats_.conflict_count;
  stats_.conflict_bytes += differing;
  auto& conflicts = stats_.conflicts;
  if (!conflicts.empty()) {
    ByteRange& last = conflicts.back();
    const uint64_t last_end = last.offset + last.length;
    const uint64_t end = offset + length;
    if (offset <= last_end && last.offset <= end) {
      const uint64_t merged_start = std::min(last.offset, offset);
      last.length = std::max(last_end, end) - merged_start;
      last.offset = merged_start;
      return;
    }
  }
  if (conflicts.size() < kMaxConflictRanges) conflicts.push_back({offset, length});
}

void Reassembler::store_new(AddContext& ctx, uint64_t from, uint64_t to) {
  // Blocks compared just before this piece may now be contiguous.
  if (from > next_offset_) drain();
  const ByteView data = ctx.payload.subview(from - ctx.start, to - from);
  const Timestamp ts = ctx.segment.ts;
  if (from == next_offset_) {
    write_sink(from, data, ts);
    next_offset_ = to;
  } else if (held_.size() < kMaxHeldBlocks &&
             held_bytes_ + data.size() <= limits_.flow_buffer_limit &&
             budget_.try_reserve(data.size())) {
    held_.emplace_hint(held_.lower_bound(from), from,
                       Block{std::vector<uint8_t>(data.begin(), data.end()), ts});
    held_bytes_ += data.size();
  } else {
    // Out of memory: the sink takes the block now at its offset, leaving the
    // hole before it sparse. If even the range set is full, the range goes
    // untracked and a later copy simply rewrites the same offsets.
    write_sink(from, data, ts);
    ++stats_.spilled_blocks;
    in_sink_.add(from, to);
  }
  if (ctx.segment.corrupted()) weak_.add(from, to);
  highest_end_ = std::max(highest_end_, to);
  ctx.changed = true;
}

void Reassembler::write_sink(uint64_t offset, ByteView data, Timestamp ts) {
  sink_.write(offset, data, ts);
  sink_has_data_ = true;
}

void Reassembler::drain() {
  // Every step removes one entry, so this ends.
  for (;;) {
    if (!held_.empty() && held_.begin()->first <= next_offset_) {
      auto it = held_.begin();
      const auto& data = it->second.data;
      const uint64_t block_end = it->first + data.size();
      if (block_end > next_offset_) {
        const size_t skip = static_cast<size_t>(next_offset_ - it->first);
        write_sink(next_offset_, ByteView(data.data() + skip, data.size() - skip), it->second.ts);
        next_offset_ = block_end;
      }
      release_block(data.size());
      held_.erase(it);
      continue;
    }
    if (!in_sink_.empty() && in_sink_.front().start <= next_offset_) {
      next_offset_ = std::max(next_offset_, in_sink_.front().end);
      in_sink_.pop_front();
      continue;
    }
    break;
  }
}

void Reassembler::release_block(uint64_t bytes) {
  held_bytes_ -= std::min(held_bytes_, bytes);
  budget_.release(bytes);
}

}  // namespace tcpflow::reassembly
