// Flow identity. A FlowKey is one direction; a ConnKey is the same connection
// seen from either side (endpoints in a canonical order), so both directions
// find one Connection. The hash only picks the bucket: equality compares the
// whole tuple, so a hash collision can never merge two connections.
#pragma once
#include <cstdint>
#include <functional>

#include "decode/packet.h"

namespace tcpflow::flow {

struct FlowKey {
  decode::IpAddress src;
  decode::IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t vlan = decode::kNoVlan;
};

struct ConnKey {
  decode::IpAddress low_addr;   // the endpoint that sorts first
  decode::IpAddress high_addr;
  uint16_t low_port = 0;
  uint16_t high_port = 0;
  uint16_t vlan = decode::kNoVlan;

  friend bool operator==(const ConnKey& a, const ConnKey& b) {
    return a.low_port == b.low_port && a.high_port == b.high_port && a.vlan == b.vlan &&
           a.low_addr == b.low_addr && a.high_addr == b.high_addr;
  }
};

// Which side of the ConnKey a direction starts from.
enum class Side : uint8_t { kLow = 0, kHigh = 1 };

inline ConnKey make_conn_key(const FlowKey& key, Side& side) {
  bool src_first = key.src < key.dst || (key.src == key.dst && key.src_port <= key.dst_port);
  ConnKey c;
  c.vlan = key.vlan;
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
    // FNV-1a over the tuple, then a final avalanche so low bits spread.
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const uint8_t* p, size_t n) {
      for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    size_t len = k.low_addr.family == 6 ? 16 : 4;
    mix(k.low_addr.bytes.data(), len);
    mix(k.high_addr.bytes.data(), len);
    uint16_t tail[3] = {k.low_port, k.high_port, k.vlan};
    mix(reinterpret_cast<const uint8_t*>(tail), sizeof tail);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return static_cast<size_t>(h);
  }
};

}  // namespace tcpflow::flow
