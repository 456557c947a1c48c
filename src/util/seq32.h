// TCP sequence arithmetic: 32-bit wrap-safe comparison and unwrapping to a
// 64-bit position, done once per segment so everything after works on u64.
#pragma once
#include <cstdint>

namespace tcpflow {

// Signed distance from `from` to `to` in sequence space (RFC 1982 style).
inline int32_t seq_diff(uint32_t to, uint32_t from) { return static_cast<int32_t>(to - from); }
inline bool seq_before(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
inline bool seq_after(uint32_t a, uint32_t b) { return seq_diff(a, b) > 0; }

// Unwraps `seq` to the 64-bit value closest to `reference64` whose low 32 bits are `seq`.
// reference64 must carry the low bits of a recent sequence number of the same stream.
inline int64_t unwrap_seq(int64_t reference64, uint32_t seq) {
  return reference64 + seq_diff(seq, static_cast<uint32_t>(reference64));
}

}  // namespace tcpflow
