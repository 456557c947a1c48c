// Geneve (RFC 8926): an 8-byte header, variable options skipped by their
// announced length, then the protocol the header names by Ethertype.
#include "decode/tunnel_decoders.h"
#include "util/reader.h"

namespace tcpflow::decode {

TunnelStatus decode_geneve(ByteView bytes, TunnelPayload& out) {
  Reader r(bytes);
  const auto ver_optlen = r.u8();
  const auto flags = r.u8();
  const auto protocol = r.u16be();
  const auto vni_word = r.u32be();
  if (!ver_optlen || !flags || !protocol || !vni_word) return TunnelStatus::kTruncated;
  if ((*ver_optlen >> 6) != 0) return TunnelStatus::kMalformed;  // only version 0 exists
  const size_t options = size_t(*ver_optlen & 0x3F) * 4;
  if (!r.skip(options)) return TunnelStatus::kTruncated;
  if (!inner_type_of_ethertype(*protocol, out.type)) return TunnelStatus::kUnknownNext;
  out.has_id = true;
  out.id = *vni_word >> 8;
  out.bytes = r.rest();
  return TunnelStatus::kInner;
}

}  // namespace tcpflow::decode
