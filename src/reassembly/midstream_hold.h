// When to stop holding back the first bytes of a direction picked up without
// its SYN.
//
// Without a SYN, stream offset 0 is the lowest sequence number seen. When the
// first segment captured is not the lowest (the one before it arrives next),
// a sink that already received bytes would have to move them (a flow file is
// rewritten; a console, which cannot take printed bytes back, loses the
// lower ones). So the reassembler holds such a direction's first bytes in
// memory for a short, bounded window and delivers them only when the window
// closes, the lowest first. The window closes at the first of:
//   * a SYN (offset 0 is then ISN+1) or a FIN of this direction;
//   * a data segment that continues the held bytes from offset 0 with no hole
//     (nothing suggests a lower one is missing), unless the peer's ACKs have
//     shown that bytes below are missing: then only once those have arrived;
//   * kMaxSegments data segments, kMaxBytes held bytes or kMaxNanos of
//     capture time since the first one; memory running short; the end of
//     the stream.
// A peer ACK at or above the lowest sequence number does not close the
// window: a capture point can see segments in another order than the peer
// received them (several NIC queues, a mirror port), so the lower segment
// may still be on its way to the capture.
// What still shifts a stream (FlowFileSink::shift, or bytes dropped before
// the start on a console): a segment below offset 0 that arrives after the
// window closed, e.g. a retransmission of bytes sent before the capture
// began, or reordering deeper than the window.
#pragma once
#include <cstdint>

#include "util/timestamp.h"

namespace tcpflow::reassembly {

class MidstreamHold {
 public:
  static constexpr uint32_t kMaxSegments = 8;
  static constexpr uint64_t kMaxBytes = 64 * 1024;
  static constexpr int64_t kMaxNanos = 1000000000;  // one second of capture time

  // The direction's first segment (data or FIN, no SYN) arrived at `first_ts`.
  void begin(Timestamp first_ts) {
    active_ = true;
    segments_ = 1;
    since_ = first_ts;
  }
  bool active() const { return active_; }
  void end() { active_ = false; }

  // A data segment of this direction was placed while holding. `lowered`:
  // it moved offset 0 down; `continues_run`: it starts inside or right after
  // the bytes held contiguously from offset 0; `base64`: the (unwrapped)
  // sequence number of offset 0 now. True when the window should close.
  bool after_data(Timestamp ts, bool lowered, bool continues_run, uint64_t held_bytes,
                  int64_t base64) {
    ++segments_;
    if (segments_ >= kMaxSegments || held_bytes >= kMaxBytes || expired(ts)) return true;
    if (lower_missing_) return base64 <= missing_from64_;
    return !lowered && continues_run;
  }

  // The peer acknowledged `ack64` (unwrapped in this direction's space).
  // True when the window should close (its time is up).
  bool after_peer_ack(Timestamp ts, int64_t ack64, int64_t base64) {
    if (expired(ts)) return true;
    if (ack64 < base64) {
      // The peer still waits for [ack64, base64): a lower segment is missing.
      if (!lower_missing_ || ack64 > missing_from64_) missing_from64_ = ack64;
      lower_missing_ = true;
    }
    return false;
  }

 private:
  bool expired(Timestamp ts) const {
    // Whole seconds first: a wild timestamp must not overflow the product.
    const int64_t secs = ts.sec - since_.sec;
    if (secs > 1) return true;
    if (secs < -1) return false;
    const int64_t nanos =
        secs * 1000000000 + (static_cast<int64_t>(ts.nsec) - static_cast<int64_t>(since_.nsec));
    return nanos >= kMaxNanos;
  }

  bool active_ = false;
  bool lower_missing_ = false;
  uint32_t segments_ = 0;
  int64_t missing_from64_ = 0;
  Timestamp since_;
};

}  // namespace tcpflow::reassembly
