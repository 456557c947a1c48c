// IP-in-IP: IP protocol 4 (an IPv4 datagram) and 41 (an IPv6 datagram, as in
// 6in4, 6to4 and ISATAP), inside IPv4 or IPv6. There is no header of its own:
// the inner datagram's version nibble must agree with the protocol number.
#include "decode/tunnel_decoders.h"

namespace tcpflow::decode {
namespace {

TunnelStatus inner_ip(ByteView bytes, unsigned version, InnerType type, TunnelPayload& out) {
  if (bytes.empty()) return TunnelStatus::kTruncated;
  if ((bytes[0] >> 4) != version) return TunnelStatus::kMalformed;
  out.type = type;
  out.bytes = bytes;
  return TunnelStatus::kInner;
}

}  // namespace

TunnelStatus decode_ip4_in_ip(ByteView bytes, TunnelPayload& out) {
  return inner_ip(bytes, 4, InnerType::kIPv4, out);
}

TunnelStatus decode_ip6_in_ip(ByteView bytes, TunnelPayload& out) {
  return inner_ip(bytes, 6, InnerType::kIPv6, out);
}

}  // namespace tcpflow::decode
