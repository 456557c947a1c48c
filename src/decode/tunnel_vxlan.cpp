// VXLAN (RFC 7348): an 8-byte header whose I flag says the 24-bit VNI is
// valid, then an Ethernet frame.
#include "decode/tunnel_decoders.h"
#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr uint8_t kVniValid = 0x08;

}  // namespace

TunnelStatus decode_vxlan(ByteView bytes, TunnelPayload& out) {
  Reader r(bytes);
  const auto flags = r.u8();
  if (!flags || !r.skip(3)) return TunnelStatus::kTruncated;
  const auto vni_word = r.u32be();
  if (!vni_word) return TunnelStatus::kTruncated;
  // Without the I flag the header is not VXLAN (VXLAN-GPE and others reuse the port range).
  if ((*flags & kVniValid) == 0) return TunnelStatus::kMalformed;
  out.type = InnerType::kEthernet;
  out.has_id = true;
  out.id = *vni_word >> 8;
  out.bytes = r.rest();
  return TunnelStatus::kInner;
}

}  // namespace tcpflow::decode
