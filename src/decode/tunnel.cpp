#include "decode/tunnel.h"

#include <cstring>
#include <string_view>

#include "util/hash.h"

namespace tcpflow::decode {

TunnelKey tunnel_key_of(const TunnelChain& chain) {
  return chain.empty() ? TunnelKey{} : tunnel_key_of(chain.innermost());
}

TunnelKey tunnel_key_of(const TunnelLayer& layer) {
  TunnelKey key;
  key.kind = layer.kind;
  key.has_id = layer.has_id;
  key.id = layer.id;
  const bool in_order = !(layer.outer_dst < layer.outer_src);
  key.low = in_order ? layer.outer_src : layer.outer_dst;
  key.high = in_order ? layer.outer_dst : layer.outer_src;
  return key;
}

uint64_t tunnel_scope(const TunnelChain& chain) {
  if (chain.empty()) return 0;
  const TunnelKey key = tunnel_key_of(chain);
  char bytes[2 + 4 + 2 * 17];
  bytes[0] = static_cast<char>(key.kind);
  bytes[1] = static_cast<char>(key.has_id);
  std::memcpy(bytes + 2, &key.id, 4);
  bytes[6] = static_cast<char>(key.low.family);
  std::memcpy(bytes + 7, key.low.bytes.data(), 16);
  bytes[23] = static_cast<char>(key.high.family);
  std::memcpy(bytes + 24, key.high.bytes.data(), 16);
  const uint64_t h = hash_text(std::string_view(bytes, sizeof bytes));
  return h ? h : 1;  // 0 means "outside tunnels"
}

const char* tunnel_layer_name(const TunnelLayer& layer) {
  const bool outer6 = layer.outer_src.family == 6;
  switch (layer.kind) {
    case TunnelKind::kNone: return "none";
    case TunnelKind::kIp4InIp: return outer6 ? "4in6" : "4in4";
    case TunnelKind::kIp6InIp: return outer6 ? "6in6" : "6in4";
    case TunnelKind::kGre: return "gre";
    case TunnelKind::kErspan: return "erspan";
    case TunnelKind::kVxlan: return "vxlan";
    case TunnelKind::kGeneve: return "geneve";
    case TunnelKind::kGtpu: return "gtpu";
    case TunnelKind::kTeredo: return "teredo";
  }
  return "none";
}

const char* tunnel_id_label(TunnelKind kind) {
  switch (kind) {
    case TunnelKind::kVxlan:
    case TunnelKind::kGeneve: return "vni";
    case TunnelKind::kGtpu: return "teid";
    case TunnelKind::kErspan: return "session";
    default: return "key";  // GRE (and PPTP's call id)
  }
}

}  // namespace tcpflow::decode
