// Teredo (RFC 4380): IPv6 over UDP 3544, optionally preceded by an
// authentication indicator and/or an origin indication.
#include "decode/tunnel_decoders.h"
#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr uint16_t kAuthentication = 0x0001;
constexpr uint16_t kOrigin = 0x0000;
constexpr size_t kOriginRest = 6;          // port and address after the type
constexpr size_t kAuthFixedTail = 8 + 1;   // nonce and confirmation byte

}  // namespace

TunnelStatus decode_teredo(ByteView bytes, TunnelPayload& out) {
  Reader r(bytes);
  // An IPv6 header starts with 0x6?, never with the two zero-led indicators.
  auto peek = [&r]() -> std::optional<uint16_t> { return Reader(r.rest()).u16be(); };
  auto type = peek();
  if (!type) return TunnelStatus::kTruncated;
  if (*type == kAuthentication) {
    r.skip(2);
    const auto id_len = r.u8();
    const auto auth_len = r.u8();
    if (!id_len || !auth_len || !r.skip(size_t(*id_len) + *auth_len + kAuthFixedTail))
      return TunnelStatus::kTruncated;
    type = peek();
    if (!type) return TunnelStatus::kTruncated;
  }
  if (*type == kOrigin && !r.skip(2 + kOriginRest)) return TunnelStatus::kTruncated;
  const ByteView rest = r.rest();
  if (rest.empty()) return TunnelStatus::kTruncated;
  if ((rest[0] >> 4) != 6) return TunnelStatus::kMalformed;
  out.type = InnerType::kIPv6;
  out.bytes = rest;
  return TunnelStatus::kInner;
}

}  // namespace tcpflow::decode
