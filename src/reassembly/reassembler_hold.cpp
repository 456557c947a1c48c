// The hold window of a direction that began without a SYN (see
// midstream_hold.h for when it closes and what still shifts a stream).
#include "reassembly/reassembler.h"
#include "util/seq32.h"

namespace tcpflow::reassembly {

void Reassembler::update_hold(const Segment& segment, bool first, int64_t base_before) {
  bool close = syn_seen_ || fin_seen_ || finished_ || held_bytes_ >= MidstreamHold::kMaxBytes;
  if (!close && !first && !segment.payload.empty()) {
    const int64_t start = unwrap_seq(reference64_, segment.seq) - base_seq64_;
    const bool continues_run = start <= static_cast<int64_t>(held_run_end());
    close = hold_.after_data(segment.ts, base_seq64_ != base_before, continues_run, held_bytes_,
                             base_seq64_);
  }
  if (close) end_hold();
}

void Reassembler::peer_acknowledged(uint32_t ack, Timestamp ts) {
  if (!hold_.active() || !started_ || finished_) return;
  if (hold_.after_peer_ack(ts, unwrap_seq(reference64_, ack), base_seq64_)) end_hold();
}

uint64_t Reassembler::held_run_end() const {
  uint64_t end = next_offset_;
  for (const auto& [offset, block] : held_) {
    if (offset > end) break;
    end = std::max<uint64_t>(end, offset + block.data.size());
  }
  return end;
}

void Reassembler::end_hold() {
  hold_.end();
  drain();
}

}  // namespace tcpflow::reassembly
