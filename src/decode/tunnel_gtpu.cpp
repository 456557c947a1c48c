// GTP-U (3GPP TS 29.281): an 8-byte header with the TEID, an optional
// 4-byte sequence/N-PDU/next-extension word, a chain of extension headers,
// then the user's IP packet. Only G-PDUs (message type 255) carry user data;
// echo requests, error indications and end markers do not.
#include "decode/tunnel_decoders.h"
#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr uint8_t kVersion1 = 1;
constexpr uint8_t kProtocolTypeGtp = 0x10;  // 0: GTP' (charging), not user plane
constexpr uint8_t kOptionalWordFlags = 0x07;  // E, S, PN
constexpr uint8_t kMessageGpdu = 0xFF;
constexpr int kMaxExtensionHeaders = 16;

TunnelStatus skip_extensions(Reader& r, uint8_t next) {
  for (int i = 0; next != 0; ++i) {
    if (i == kMaxExtensionHeaders) return TunnelStatus::kMalformed;
    const auto units = r.u8();
    if (!units) return TunnelStatus::kTruncated;
    if (*units == 0) return TunnelStatus::kMalformed;  // a header is at least 4 bytes
    if (!r.skip(size_t(*units) * 4 - 2)) return TunnelStatus::kTruncated;
    const auto following = r.u8();
    if (!following) return TunnelStatus::kTruncated;
    next = *following;
  }
  return TunnelStatus::kInner;
}

}  // namespace

TunnelStatus decode_gtpu(ByteView bytes, TunnelPayload& out) {
  Reader header(bytes);
  const auto flags = header.u8();
  const auto type = header.u8();
  const auto length = header.u16be();
  const auto teid = header.u32be();
  if (!flags || !type || !length || !teid) return TunnelStatus::kTruncated;
  if ((*flags >> 5) != kVersion1 || (*flags & kProtocolTypeGtp) == 0) return TunnelStatus::kMalformed;
  out.has_id = true;
  out.id = *teid;
  // The length field covers everything after the mandatory header; padding
  // beyond it is not the user's.
  Reader r(header.rest().first(*length));
  if (*flags & kOptionalWordFlags) {
    if (!r.skip(3)) return TunnelStatus::kTruncated;
    const auto next = r.u8();
    if (!next) return TunnelStatus::kTruncated;
    const TunnelStatus ext = skip_extensions(r, *next);
    if (ext != TunnelStatus::kInner) return ext;
  }
  if (*type != kMessageGpdu) return TunnelStatus::kNoUserData;
  const ByteView user = r.rest();
  if (user.empty()) return TunnelStatus::kTruncated;
  switch (user[0] >> 4) {
    case 4: out.type = InnerType::kIPv4; break;
    case 6: out.type = InnerType::kIPv6; break;
    default: return TunnelStatus::kUnknownNext;  // PPP, Ethernet or unstructured PDUs
  }
  out.bytes = user;
  return TunnelStatus::kInner;
}

}  // namespace tcpflow::decode
