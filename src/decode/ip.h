// Network-layer decoding: IPv4 and IPv6 (with its extension-header chain)
// into an IpPacket view. Lengths come from the IP header, never from the
// capture, so link padding and trailers are not mistaken for data.
#pragma once
#include <cstdint>

#include "decode/packet.h"
#include "util/byte_view.h"
#include "util/stats.h"

namespace tcpflow::decode {

constexpr uint8_t kProtoTcp = 6;

enum class IpStatus : uint8_t { kOk, kMalformed };

// Decodes an IPv4 header. `out` is reset first. Never allocates.
IpStatus decode_ipv4(ByteView l3, IpPacket& out, Stats& stats);

// Decodes an IPv6 header and walks its extension headers up to the transport
// header, or up to the fragment header of a real fragment (whose payload is
// then the fragmentable part). When a routing header still has segments left,
// `final_dst` (if not null) receives the final destination, which the TCP
// checksum uses (RFC 8200 8.1); otherwise its family is left 0.
IpStatus decode_ipv6(ByteView l3, IpPacket& out, Stats& stats, IpAddress* final_dst = nullptr);

// Decodes either version, as the link layer said.
IpStatus decode_ip(NetProto proto, ByteView l3, IpPacket& out, Stats& stats,
                   IpAddress* final_dst = nullptr);

// For a reassembled IPv6 datagram whose fragmentable part starts with
// extension headers (destination options, ...): walks them and leaves
// `whole` pointing at the transport header. A fragment header here is malformed.
IpStatus finish_ipv6_chain(IpPacket& whole, Stats& stats);

}  // namespace tcpflow::decode
