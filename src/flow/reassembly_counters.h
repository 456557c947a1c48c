// The run counters a closed direction's reassembly facts feed. The flow
// table adds them when it closes a direction; a recorder that keeps nothing
// of the direction (another shard's connection) takes the same ones back,
// so both sides name them in one place.
#pragma once
#include <cstdint>

#include "reassembly/reassembly_types.h"
#include "util/stats.h"

namespace tcpflow::flow {

// Calls fn(Counter, uint64_t amount) once per counter.
template <typename Fn>
void for_each_reassembly_counter(const reassembly::ReassemblyStats& rs, Fn&& fn) {
  fn(Counter::kDuplicateBytes, rs.duplicate_bytes);
  fn(Counter::kOverlapConflicts, rs.conflict_count);
  fn(Counter::kOverlapConflictBytes, rs.conflict_bytes);
  fn(Counter::kTcpChecksumBadReplaced, rs.bad_checksum_replaced);
  fn(Counter::kSegmentsBeforeStart, rs.before_start_segments);
  fn(Counter::kBytesCapped, rs.capped_bytes);
  fn(Counter::kOutOfOrderSpills, rs.spilled_blocks);
  fn(Counter::kStreamShifts, rs.shifts);
  fn(Counter::kGaps, static_cast<uint64_t>(rs.gaps.size()));
  uint64_t gap_bytes = 0;
  for (const auto& gap : rs.gaps) gap_bytes += gap.length;
  fn(Counter::kGapBytes, gap_bytes);
}

}  // namespace tcpflow::flow
