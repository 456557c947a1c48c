#include "decode/decoder.h"

#include <optional>

#include "decode/ip.h"
#include "decode/link.h"
#include "decode/tcp.h"

namespace tcpflow::decode {

bool link_type_supported(int link_type) { return link_known(link_type); }

PacketDecoder::PacketDecoder(const DefragLimits& limits, const TunnelConfig& tunnels)
    : defrag_(limits), tunnels_(tunnels) {}

PacketDecoder::~PacketDecoder() = default;

DecodeResult PacketDecoder::decode(int link_type, ByteView frame, Timestamp ts,
                                   DecodedPacket& out, Stats& stats) {
  out.tcp = TcpSegment{};
  out.tunnels.depth = 0;
  switch (decode_link(link_type, frame, out.link, stats)) {
    case LinkStatus::kIp: break;
    case LinkStatus::kNotIp: out.ip = IpPacket{}; return DecodeResult::kNotTcp;
    case LinkStatus::kMalformed: out.ip = IpPacket{}; return DecodeResult::kMalformed;
    case LinkStatus::kUnsupported: out.ip = IpPacket{}; return DecodeResult::kUnsupportedLink;
  }
  NetProto proto = out.link.proto;
  ByteView l3 = out.link.l3;
  // Each pass decodes one IP datagram; a tunnel sends the loop one level in.
  for (;;) {
    IpAddress routed_dst;  // a routing header's final destination, for the TCP checksum
    if (auto stop = decode_network(proto, l3, ts, out, stats, routed_dst)) return *stop;
    if (out.ip.transport == kProtoTcp) {
      if (decode_tcp(out.ip, out.tcp, stats, &routed_dst) != TcpStatus::kOk)
        return DecodeResult::kMalformed;
      stats.add(Counter::kTcpPackets);
      return DecodeResult::kTcp;
    }
    TunnelPayload inner;
    switch (tunnels_.step(out.ip, inner, stats)) {
      case TunnelStep::kInner: break;
      case TunnelStep::kFailed: return DecodeResult::kMalformed;
      case TunnelStep::kNotTunnel:
      case TunnelStep::kNoUserData:
        stats.add(Counter::kNonTcpPackets);
        return DecodeResult::kNotTcp;
    }
    if (auto stop = enter_tunnel(inner, out, proto, l3, stats)) return *stop;
  }
}

// The IP layer of one pass: header, extension chain, defragmentation.
// nullopt: a whole datagram is in out.ip, whatever it carries.
std::optional<DecodeResult> PacketDecoder::decode_network(NetProto proto, ByteView l3, Timestamp ts,
                                           DecodedPacket& out, Stats& stats,
                                           IpAddress& routed_dst) {
  if (decode_ip(proto, l3, out.ip, stats, &routed_dst) != IpStatus::kOk)
    return DecodeResult::kMalformed;
  if (!out.ip.is_fragment) return std::nullopt;
  IpPacket whole;
  const uint64_t bad_before = stats.get(Counter::kFragmentsBad);
  if (!defrag_.add(out.ip, ts, whole, stats)) {
    // An impossible fragment was refused rather than stored.
    return stats.get(Counter::kFragmentsBad) != bad_before ? DecodeResult::kMalformed
                                                            : DecodeResult::kFragmentHeld;
  }
  out.ip = whole;
  // An IPv6 fragmentable part may begin with more extension headers.
  if (out.ip.proto == NetProto::kIPv6 && finish_ipv6_chain(out.ip, stats) != IpStatus::kOk)
    return DecodeResult::kMalformed;
  return std::nullopt;
}

// Records the layer just peeled and points `proto`/`l3` at what it carries.
// nullopt: go on decoding.
std::optional<DecodeResult> PacketDecoder::enter_tunnel(const TunnelPayload& inner, DecodedPacket& out,
                                         NetProto& proto, ByteView& l3, Stats& stats) {
  if (out.tunnels.depth == kMaxTunnelDepth) {
    stats.add(Counter::kTunnelTooDeep);
    return DecodeResult::kMalformed;
  }
  TunnelLayer& layer = out.tunnels.layers[out.tunnels.depth++];
  layer.kind = inner.kind;
  layer.has_id = inner.has_id;
  layer.id = inner.id;
  layer.outer_src = out.ip.src;
  layer.outer_dst = out.ip.dst;
  if (inner.type != InnerType::kEthernet) {
    proto = inner.type == InnerType::kIPv4 ? NetProto::kIPv4 : NetProto::kIPv6;
    l3 = inner.bytes;
    return std::nullopt;
  }
  LinkLayer frame;
  switch (decode_link(kLinkEthernet, inner.bytes, frame, stats)) {
    case LinkStatus::kIp: break;
    case LinkStatus::kNotIp: return DecodeResult::kNotTcp;  // ARP and the like in the overlay
    default: return DecodeResult::kMalformed;
  }
  // The inner frame's MACs are the ones the connection's hosts used.
  out.link.has_macs = frame.has_macs;
  out.link.src_mac = frame.src_mac;
  out.link.dst_mac = frame.dst_mac;
  proto = frame.proto;
  l3 = frame.l3;
  return std::nullopt;
}

void PacketDecoder::expire(Timestamp now, Stats& stats) { defrag_.expire(now, stats); }

}  // namespace tcpflow::decode
