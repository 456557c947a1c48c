// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash with a
// published definition and test vectors, so a value computed here is the
// value any other implementation computes for the same key and bytes, on any
// platform. Used where the hash is part of a documented contract (--shard),
// not for hash tables (util/hash.h is faster there).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace tcpflow {

using SipKey = std::array<uint8_t, 16>;

uint64_t siphash24(const SipKey& key, const uint8_t* data, size_t length);

}  // namespace tcpflow
