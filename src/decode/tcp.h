// TCP header decoding into a TcpSegment view, with checksum verification when
// the whole segment was captured.
#pragma once
#include <cstdint>

#include "decode/packet.h"
#include "util/stats.h"

namespace tcpflow::decode {

enum class TcpStatus : uint8_t { kOk, kMalformed };

// Decodes the TCP header at ip.payload. `out` is reset first. The checksum is
// verified only when the segment is complete and its length came from the IP
// header; `routed_dst` (family != 0) is a routing header's final destination,
// tried when the header destination does not verify. Never allocates.
TcpStatus decode_tcp(const IpPacket& ip, TcpSegment& out, Stats& stats,
                     const IpAddress* routed_dst = nullptr);

}  // namespace tcpflow::decode
