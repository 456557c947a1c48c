// Tunnels: the encapsulations a TCP segment may arrive in (IP-in-IP, GRE,
// ERSPAN, VXLAN, Geneve, GTP-U, Teredo), the chain of them a packet crossed,
// and the identity of the innermost one, which keeps two tenants' identical
// inner connections apart.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "decode/packet.h"

namespace tcpflow::decode {

enum class TunnelKind : uint8_t {
  kNone = 0,
  kIp4InIp,  // IP protocol 4: an IPv4 datagram inside IPv4 or IPv6
  kIp6InIp,  // IP protocol 41: IPv6 inside IPv4 (6in4, 6to4, ISATAP) or IPv6
  kGre,      // IP protocol 47 (or UDP 4754) carrying IPv4, IPv6, Ethernet (0x6558), PPP (PPTP) or WCCP
  kErspan,   // GRE carrying mirrored Ethernet (ERSPAN type I, II or III)
  kVxlan,    // UDP 4789 / 8472
  kGeneve,   // UDP 6081
  kGtpu,     // UDP 2152
  kTeredo,   // UDP 3544
};

// Tunnels nested deeper than this are counted (tunnel_too_deep), not decoded.
constexpr int kMaxTunnelDepth = 8;

// One encapsulation a packet crossed: its kind, the identifier it carries
// (VNI, GRE key, TEID, ERSPAN session) and the endpoints of the IP header
// that delivered it.
struct TunnelLayer {
  TunnelKind kind = TunnelKind::kNone;
  bool has_id = false;
  uint32_t id = 0;
  IpAddress outer_src;
  IpAddress outer_dst;
};

// The encapsulations of one packet, outermost first.
struct TunnelChain {
  uint8_t depth = 0;
  std::array<TunnelLayer, kMaxTunnelDepth> layers{};

  bool empty() const { return depth == 0; }
  const TunnelLayer& innermost() const { return layers[depth - 1]; }
};

// The connection-key part of a tunnel: the innermost layer with its outer
// endpoints in a canonical order, so both directions of a connection (whose
// outer headers are mirror images) share it. kind kNone: not tunnelled.
struct TunnelKey {
  TunnelKind kind = TunnelKind::kNone;
  bool has_id = false;
  uint32_t id = 0;
  IpAddress low;
  IpAddress high;

  friend bool operator==(const TunnelKey& a, const TunnelKey& b) {
    return a.kind == b.kind && a.has_id == b.has_id && a.id == b.id && a.low == b.low &&
           a.high == b.high;
  }
  friend bool operator!=(const TunnelKey& a, const TunnelKey& b) { return !(a == b); }
};

TunnelKey tunnel_key_of(const TunnelLayer& layer);
TunnelKey tunnel_key_of(const TunnelChain& chain);  // of the innermost layer; kNone if empty

// A 64-bit digest of the innermost tunnel's key, for keying IP fragments
// that arrived through it; 0 for an empty chain.
uint64_t tunnel_scope(const TunnelChain& chain);

// "vxlan", "gre", "6in4", ... (IP-in-IP names depend on the outer version).
const char* tunnel_layer_name(const TunnelLayer& layer);

// "vni", "key", "teid", "session".
const char* tunnel_id_label(TunnelKind kind);

// Which encapsulations are decoded. UDP tunnels are recognised by port; the
// defaults (4789 and 8472 VXLAN, 6081 Geneve, 2152 GTP-U, 3544 Teredo) always
// apply and extra_udp_ports adds more.
struct TunnelConfig {
  bool enabled = true;
  std::vector<std::pair<uint16_t, TunnelKind>> extra_udp_ports;
};

}  // namespace tcpflow::decode
