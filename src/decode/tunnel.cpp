#include "decode/tunnel.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <string_view>

namespace tcpflow::decode {
namespace {

void append_ip(std::string& out, const IpAddress& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  const int family = addr.family == 6 ? AF_INET6 : AF_INET;
  if (addr.family != 0 && inet_ntop(family, addr.bytes.data(), buf, sizeof buf) != nullptr)
    out += buf;
}

}  // namespace

TunnelKey tunnel_key_of(const TunnelChain& chain) {
  TunnelKey key;
  if (chain.empty()) return key;
  const TunnelLayer& layer = chain.innermost();
  key.kind = layer.kind;
  key.has_id = layer.has_id;
  key.id = layer.id;
  const bool in_order = !(layer.outer_dst < layer.outer_src);
  key.low = in_order ? layer.outer_src : layer.outer_dst;
  key.high = in_order ? layer.outer_dst : layer.outer_src;
  return key;
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

std::string describe_tunnels(const std::vector<TunnelLayer>& layers) {
  std::string out;
  for (const TunnelLayer& layer : layers) {
    if (!out.empty()) out += ", ";
    out += tunnel_layer_name(layer);
    out += ':';
    if (layer.has_id) {
      out += tunnel_id_label(layer.kind);
      out += '=';
      out += std::to_string(layer.id);
      out += ' ';
    }
    out += "outer=";
    append_ip(out, layer.outer_src);
    out += '>';
    append_ip(out, layer.outer_dst);
  }
  return out;
}

std::string tunnel_file_tag(const TunnelLayer& layer) {
  std::string out = tunnel_layer_name(layer);
  if (layer.has_id) out += std::to_string(layer.id);
  out += '_';
  append_ip(out, layer.outer_src);
  out += '-';
  append_ip(out, layer.outer_dst);
  return out;
}

}  // namespace tcpflow::decode
