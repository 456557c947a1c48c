// A quick look at how evenly a buffer's byte values are spread: enough to
// tell encrypted or already-compressed payload from text, for a compressor
// to skip work that cannot pay.
#pragma once
#include <cstddef>
#include <cstdint>

#include "util/byte_view.h"

namespace tcpflow {

// True when a sample of `data` (512 bytes, spread over the whole buffer)
// has byte values so evenly spread that entropy coding them, byte by byte,
// saves under about 2.5%. Measured as Rényi's collision entropy, which is
// never above Shannon's: the share of the sample's pairs of bytes that are
// equal estimates the chance that two bytes are equal, 1/256 for random
// bytes; the bound is 1/223 (2^-7.8), 3 standard deviations above what
// random bytes give with 512 of them. Buffers under 1 KiB are too short
// to judge: false.
inline bool looks_incompressible(ByteView data) {
  constexpr size_t kMinimum = 1024;
  constexpr size_t kPieces = 4;
  constexpr size_t kPiece = 128;
  if (data.size() < kMinimum) return false;
  uint16_t counts[256] = {};
  uint64_t equal_pairs = 0;  // each byte pairs with the equal ones before it
  // Evenly spaced pieces, so a text header before a compressed body still
  // counts.
  const size_t stride = (data.size() - kPiece) / (kPieces - 1);
  for (size_t i = 0; i < kPieces; ++i) {
    const uint8_t* piece = data.data() + i * stride;
    for (size_t j = 0; j < kPiece; ++j) equal_pairs += counts[piece[j]]++;
  }
  constexpr uint64_t n = kPieces * kPiece;
  return equal_pairs * 2 * 223 <= n * (n - 1);
}

}  // namespace tcpflow
