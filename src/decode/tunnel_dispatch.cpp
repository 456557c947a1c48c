#include "decode/tunnel_dispatch.h"

#include <algorithm>

#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr uint8_t kProtoUdp = 17;
constexpr size_t kUdpHeader = 8;

enum class Carrier : uint8_t { kIpProtocol, kUdpPort };

// The dispatch table: one line per encapsulation. A new one is a decoder
// module plus a line here. `match` is the IP protocol or the UDP ports
// recognised by default (0: none); -S *_ports settings add ports.
struct Encapsulation {
  TunnelKind kind;
  Carrier carrier;
  uint16_t match[2];
  Counter counter;
  TunnelDecodeFn decode;
};

constexpr Encapsulation kTable[] = {
    {TunnelKind::kIp4InIp, Carrier::kIpProtocol, {4, 0}, Counter::kTunnelIp4InIp, decode_ip4_in_ip},
    {TunnelKind::kIp6InIp, Carrier::kIpProtocol, {41, 0}, Counter::kTunnelIp6InIp, decode_ip6_in_ip},
    {TunnelKind::kGre, Carrier::kIpProtocol, {47, 0}, Counter::kTunnelGre, decode_gre},
    {TunnelKind::kVxlan, Carrier::kUdpPort, {4789, 8472}, Counter::kTunnelVxlan, decode_vxlan},
    {TunnelKind::kGeneve, Carrier::kUdpPort, {6081, 0}, Counter::kTunnelGeneve, decode_geneve},
    {TunnelKind::kGtpu, Carrier::kUdpPort, {2152, 0}, Counter::kTunnelGtpu, decode_gtpu},
    {TunnelKind::kTeredo, Carrier::kUdpPort, {3544, 0}, Counter::kTunnelTeredo, decode_teredo},
    {TunnelKind::kGre, Carrier::kUdpPort, {4754, 0}, Counter::kTunnelGre, decode_gre},  // GRE-in-UDP
};

TunnelStep failed(Stats& stats, Counter why) {
  stats.add(why);
  return TunnelStep::kFailed;
}

}  // namespace

TunnelDispatcher::TunnelDispatcher(const TunnelConfig& config) : enabled_(config.enabled) {
  for (size_t i = 0; i < std::size(kTable); ++i) {
    if (kTable[i].carrier != Carrier::kUdpPort) continue;
    for (uint16_t port : kTable[i].match)
      if (port != 0) udp_routes_.push_back(UdpRoute{port, i});
  }
  for (const auto& [port, kind] : config.extra_udp_ports) {
    for (size_t i = 0; i < std::size(kTable); ++i) {
      if (kTable[i].kind != kind || kTable[i].carrier != Carrier::kUdpPort) continue;
      const bool known = std::any_of(udp_routes_.begin(), udp_routes_.end(),
                                     [port = port](const UdpRoute& r) { return r.port == port; });
      if (!known) udp_routes_.push_back(UdpRoute{port, i});  // the first kind named wins
    }
  }
}

TunnelStep TunnelDispatcher::step(const IpPacket& ip, TunnelPayload& inner, Stats& stats) const {
  if (!enabled_) return TunnelStep::kNotTunnel;
  if (ip.transport == kProtoUdp) return udp(ip, inner, stats);
  for (size_t i = 0; i < std::size(kTable); ++i) {
    if (kTable[i].carrier == Carrier::kIpProtocol && kTable[i].match[0] == ip.transport)
      return run(i, ip.payload, inner, stats);
  }
  return TunnelStep::kNotTunnel;
}

TunnelStep TunnelDispatcher::udp(const IpPacket& ip, TunnelPayload& inner, Stats& stats) const {
  Reader r(ip.payload);
  const auto src_port = r.u16be();
  const auto dst_port = r.u16be();
  const auto length = r.u16be();
  if (!src_port || !dst_port || !length || !r.skip(2)) return TunnelStep::kNotTunnel;
  // The destination port names the service; the source port only when it does not
  // (replies from a Teredo relay come from 3544).
  const UdpRoute* route = nullptr;
  for (const uint16_t port : {*dst_port, *src_port}) {
    for (const UdpRoute& candidate : udp_routes_)
      if (candidate.port == port) route = &candidate;
    if (route) break;
  }
  if (!route) return TunnelStep::kNotTunnel;
  // A UDP length of 0 is a jumbogram's (RFC 2675); otherwise it bounds the payload.
  size_t payload = *length == 0 ? SIZE_MAX : size_t(*length);
  if (payload != SIZE_MAX && payload < kUdpHeader) return failed(stats, Counter::kTunnelMalformed);
  payload = payload == SIZE_MAX ? SIZE_MAX : payload - kUdpHeader;
  return run(route->entry, r.rest().first(payload), inner, stats);
}

TunnelStep TunnelDispatcher::run(size_t entry, ByteView bytes, TunnelPayload& inner,
                                 Stats& stats) const {
  const Encapsulation& e = kTable[entry];
  inner = TunnelPayload{};
  inner.kind = e.kind;
  switch (e.decode(bytes, inner)) {
    case TunnelStatus::kInner:
      stats.add(inner.kind == TunnelKind::kErspan ? Counter::kTunnelErspan : e.counter);
      return TunnelStep::kInner;
    case TunnelStatus::kNoUserData:
      stats.add(e.counter);
      stats.add(Counter::kTunnelControl);
      return TunnelStep::kNoUserData;
    case TunnelStatus::kTruncated: return failed(stats, Counter::kTunnelTruncated);
    case TunnelStatus::kMalformed: return failed(stats, Counter::kTunnelMalformed);
    case TunnelStatus::kUnknownNext: return failed(stats, Counter::kTunnelUnknownNext);
  }
  return TunnelStep::kFailed;
}

}  // namespace tcpflow::decode
