// Flow identity. A FlowKey is one direction; a ConnKey is the same connection
// seen from either side (endpoints in a canonical order), so both directions
// find one Connection. The hash only picks the bucket: equality compares the
// whole tuple, so a hash collision can never merge two connections.
#pragma once
#include <cstdint>
#include <cstring>
#include <functional>

#include "decode/packet.h"
#include "util/hash.h"

namespace tcpflow::flow {

struct FlowKey {
  decode::IpAddress src;
  decode::IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t vlan = decode::kNoVlan;
  uint32_t tunnel = 0;  // the innermost tunnel's TunnelInterner number (0: none)
};

struct ConnKey {
  decode::IpAddress low_addr;   // the endpoint that sorts first
  decode::IpAddress high_addr;
  uint16_t low_port = 0;
  uint16_t high_port = 0;
  uint16_t vlan = decode::kNoVlan;
  // Like the VLAN, the tunnel is part of the identity: two tenants' identical
  // inner 4-tuples are two connections. Its outer endpoints are already in a
  // canonical order (decode::tunnel_key_of), so both directions agree; the
  // key holds the tunnel's TunnelInterner number, which is unique while any
  // connection uses it.
  uint32_t tunnel = 0;

  friend bool operator==(const ConnKey& a, const ConnKey& b) {
    return a.low_port == b.low_port && a.high_port == b.high_port && a.vlan == b.vlan &&
           a.low_addr == b.low_addr && a.high_addr == b.high_addr && a.tunnel == b.tunnel;
  }
};

// Which side of the ConnKey a direction starts from.
enum class Side : uint8_t { kLow = 0, kHigh = 1 };

inline ConnKey make_conn_key(const FlowKey& key, Side& side) {
  bool src_first = key.src < key.dst || (key.src == key.dst && key.src_port <= key.dst_port);
  ConnKey c;
  c.vlan = key.vlan;
  c.tunnel = key.tunnel;
  if (src_first) {
    c.low_addr = key.src, c.low_port = key.src_port;
    c.high_addr = key.dst, c.high_port = key.dst_port;
    side = Side::kLow;
  } else {
    c.low_addr = key.dst, c.low_port = key.dst_port;
    c.high_addr = key.src, c.high_port = key.src_port;
    side = Side::kHigh;
  }
  return c;
}

struct ConnKeyHash {
  size_t operator()(const ConnKey& k) const {
    // Whole 64-bit words (IPv4 keeps its unused address bytes zero, and
    // equality compares them too). One lookup per packet: a byte-at-a-time
    // hash cost more than the rest of the lookup.
    uint64_t words[4];
    std::memcpy(words, k.low_addr.bytes.data(), 16);
    std::memcpy(words + 2, k.high_addr.bytes.data(), 16);
    uint64_t tail = (uint64_t{k.low_port} << 48) | (uint64_t{k.high_port} << 32) |
                    (uint64_t{k.vlan} << 16) | (uint64_t{k.low_addr.family} << 8) |
                    k.high_addr.family;
    WordHash hash;
    for (uint64_t word : words) hash.add(word);
    hash.add(tail);
    if (k.tunnel != 0) hash.add(k.tunnel);
    return static_cast<size_t>(hash.value());
  }
};

}  // namespace tcpflow::flow
