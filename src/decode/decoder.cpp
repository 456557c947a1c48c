#include "decode/decoder.h"

#include "decode/ip.h"
#include "decode/link.h"
#include "decode/tcp.h"

namespace tcpflow::decode {

bool link_type_supported(int link_type) { return link_known(link_type); }

PacketDecoder::PacketDecoder(const DefragLimits& limits) : defrag_(limits) {}

PacketDecoder::~PacketDecoder() = default;

DecodeResult PacketDecoder::decode(int link_type, ByteView frame, Timestamp ts,
                                   DecodedPacket& out, Stats& stats) {
  out.tcp = TcpSegment{};
  switch (decode_link(link_type, frame, out.link, stats)) {
    case LinkStatus::kIp: break;
    case LinkStatus::kNotIp: out.ip = IpPacket{}; return DecodeResult::kNotTcp;
    case LinkStatus::kMalformed: out.ip = IpPacket{}; return DecodeResult::kMalformed;
    case LinkStatus::kUnsupported: out.ip = IpPacket{}; return DecodeResult::kUnsupportedLink;
  }
  IpAddress routed_dst;  // a routing header's final destination, for the TCP checksum
  if (decode_ip(out.link.proto, out.link.l3, out.ip, stats, &routed_dst) != IpStatus::kOk)
    return DecodeResult::kMalformed;

  if (out.ip.is_fragment) {
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
  }
  if (out.ip.transport != kProtoTcp) {
    stats.add(Counter::kNonTcpPackets);
    return DecodeResult::kNotTcp;
  }
  if (decode_tcp(out.ip, out.tcp, stats, &routed_dst) != TcpStatus::kOk)
    return DecodeResult::kMalformed;
  stats.add(Counter::kTcpPackets);
  return DecodeResult::kTcp;
}

void PacketDecoder::expire(Timestamp now, Stats& stats) { defrag_.expire(now, stats); }

}  // namespace tcpflow::decode
