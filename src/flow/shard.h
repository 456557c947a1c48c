// --shard K/N: which connections a worker keeps. Every worker of a sharded
// run reads all the input and tracks every connection (so names, counts and
// close order are those of a single run) but writes and reports only the
// connections whose canonical key hashes to K modulo N.
//
// The hash is a contract between workers that may run different builds on
// different machines, so it is spelled out (also in FORMAT.md and the man
// page): SipHash-2-4 with the 16-byte key "tcpflow shard v1" (ASCII) over
// the canonical key bytes:
//
//   family   1 byte   4 or 6
//   vlan     2 bytes  big-endian VLAN id, 0xffff when untagged
//   low      address (4 or 16 bytes, network order) then port (2 bytes, big-endian)
//   high     the same for the other endpoint
//
// where `low` is the endpoint whose address-and-port bytes compare smaller
// (memcmp order). Both directions of a connection give the same bytes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "flow/flow_info.h"

namespace tcpflow::flow {

struct ShardSpec {
  uint32_t index = 0;  // K
  uint32_t count = 0;  // N; 0: not sharded (everything is kept)

  bool active() const { return count > 0; }
  // "K-of-N", the infix of a shard's report and index names.
  std::string label() const;
};

constexpr uint32_t kMaxShards = 1u << 20;

// Parses "K/N" (decimal, 0 <= K < N <= kMaxShards). On failure returns
// nullopt and sets `error` to a sentence naming the problem.
std::optional<ShardSpec> parse_shard_spec(std::string_view text, std::string& error);

// The canonical key bytes described above; returns how many were written
// (15 for IPv4, 39 for IPv6).
constexpr size_t kMaxCanonicalKeyBytes = 1 + 2 + 2 * (16 + 2);
size_t canonical_key_bytes(const decode::IpAddress& a, uint16_t a_port,
                           const decode::IpAddress& b, uint16_t b_port, uint16_t vlan,
                           uint8_t (&out)[kMaxCanonicalKeyBytes]);

// SipHash-2-4 of the canonical key of the direction's connection.
uint64_t shard_hash(const FlowInfo& info);

// The same from a connection's two endpoints (in either order).
uint64_t shard_hash(const decode::IpAddress& a, uint16_t a_port, const decode::IpAddress& b,
                    uint16_t b_port, uint16_t vlan);

// True when `info`'s connection belongs to `spec` (always, when not sharded).
inline bool shard_keeps(const ShardSpec& spec, const FlowInfo& info) {
  return !spec.active() || shard_hash(info) % spec.count == spec.index;
}

}  // namespace tcpflow::flow
