// The encapsulation-header decoders, one per module (tunnel_ipip.cpp,
// tunnel_gre.cpp, tunnel_vxlan.cpp, tunnel_geneve.cpp, tunnel_gtpu.cpp,
// tunnel_teredo.cpp). Each reads only its own header with the bounds-checked
// Reader and says what follows it; the dispatcher (tunnel_dispatch.cpp)
// decides which one to call.
#pragma once
#include <cstdint>

#include "decode/tunnel.h"
#include "util/byte_view.h"

namespace tcpflow::decode {

enum class InnerType : uint8_t { kIPv4, kIPv6, kEthernet };

// What an encapsulation header carries.
struct TunnelPayload {
  TunnelKind kind = TunnelKind::kNone;  // may refine the table's kind (GRE -> ERSPAN)
  InnerType type = InnerType::kIPv4;
  ByteView bytes;
  bool has_id = false;
  uint32_t id = 0;
};

enum class TunnelStatus : uint8_t {
  kInner,        // payload describes the carried packet
  kNoUserData,   // a well-formed control message (GTP-U echo, end marker, ...)
  kTruncated,    // the capture ended inside the encapsulation header
  kMalformed,    // impossible header (version, flags, lengths)
  kUnknownNext,  // a well-formed header carrying a protocol we do not decode
};

// `bytes` starts at the encapsulation header (the IP payload for IP-protocol
// tunnels, the UDP payload for UDP ones). `out.kind` is preset by the caller.
using TunnelDecodeFn = TunnelStatus (*)(ByteView bytes, TunnelPayload& out);

TunnelStatus decode_ip4_in_ip(ByteView bytes, TunnelPayload& out);
TunnelStatus decode_ip6_in_ip(ByteView bytes, TunnelPayload& out);
TunnelStatus decode_gre(ByteView bytes, TunnelPayload& out);
TunnelStatus decode_vxlan(ByteView bytes, TunnelPayload& out);
TunnelStatus decode_geneve(ByteView bytes, TunnelPayload& out);
TunnelStatus decode_gtpu(ByteView bytes, TunnelPayload& out);
TunnelStatus decode_teredo(ByteView bytes, TunnelPayload& out);

// Ethertype (GRE, Geneve protocol field) to inner type; false if not carried.
bool inner_type_of_ethertype(uint16_t ethertype, InnerType& type);

}  // namespace tcpflow::decode
