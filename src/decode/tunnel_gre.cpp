// GRE (RFC 2784/2890, and RFC 1701's routing field), PPTP's enhanced GRE
// (RFC 2637, version 1) and the ERSPAN mirroring headers GRE carries
// (type I: none, type II: 8 bytes, type III: 12 bytes plus an optional 8),
// and Cisco WCCP redirection. The same header arrives over UDP 4754 (RFC 8086).
#include "decode/tunnel_decoders.h"
#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr uint16_t kChecksumPresent = 0x8000;
constexpr uint16_t kRoutingPresent = 0x4000;
constexpr uint16_t kKeyPresent = 0x2000;
constexpr uint16_t kSequencePresent = 0x1000;
constexpr uint16_t kAckPresent = 0x0080;  // version 1 only
constexpr uint16_t kVersionMask = 0x0007;

constexpr uint16_t kProtoErspan2 = 0x88BE;  // type I without a sequence number, II with
constexpr uint16_t kProtoErspan3 = 0x22EB;
constexpr uint16_t kProtoPpp = 0x880B;
constexpr uint16_t kProtoWccp = 0x883E;  // Cisco WCCP redirect: 4-byte header, then IPv4
constexpr size_t kWccpRedirectHeader = 4;

constexpr int kMaxRoutingEntries = 64;  // bounds a hostile source-route list

// RFC 1701 source route entries, up to the NULL entry.
bool skip_routing(Reader& r) {
  for (int i = 0; i < kMaxRoutingEntries; ++i) {
    const auto family = r.u16be();
    const auto offset = r.u8();
    const auto length = r.u8();
    if (!family || !offset || !length) return false;
    if (*family == 0 && *length == 0) return true;
    if (!r.skip(*length)) return false;
  }
  return false;
}

// ERSPAN II/III: version, VLAN, session id; then the mirrored Ethernet frame.
TunnelStatus erspan(Reader& r, unsigned version, TunnelPayload& out) {
  const auto word = r.u32be();
  if (!word) return TunnelStatus::kTruncated;
  if ((*word >> 28) != version) return TunnelStatus::kMalformed;
  out.has_id = true;
  out.id = *word & 0x3FF;
  if (version == 1) {
    if (!r.skip(4)) return TunnelStatus::kTruncated;
  } else {
    if (!r.skip(4)) return TunnelStatus::kTruncated;  // timestamp
    const auto tail = r.u32be();
    if (!tail) return TunnelStatus::kTruncated;
    if ((*tail & 1) != 0 && !r.skip(8)) return TunnelStatus::kTruncated;  // platform subheader
  }
  out.type = InnerType::kEthernet;
  out.bytes = r.rest();
  return TunnelStatus::kInner;
}

// PPTP carries PPP frames, maybe with address/control and a compressed protocol.
TunnelStatus ppp_payload(Reader& r, TunnelPayload& out) {
  ByteView rest = r.rest();
  if (rest.size() >= 2 && rest[0] == 0xFF && rest[1] == 0x03) rest = rest.subview(2);
  if (rest.empty()) return TunnelStatus::kTruncated;
  uint16_t protocol = rest[0];
  size_t header = 1;
  if ((rest[0] & 1) == 0) {  // not compressed: two bytes
    if (rest.size() < 2) return TunnelStatus::kTruncated;
    protocol = load_be16(rest.data());
    header = 2;
  }
  if (protocol == 0x21) out.type = InnerType::kIPv4;
  else if (protocol == 0x57) out.type = InnerType::kIPv6;
  else return TunnelStatus::kUnknownNext;  // LCP, compressed data, ...
  out.bytes = rest.subview(header);
  return TunnelStatus::kInner;
}

}  // namespace

bool inner_type_of_ethertype(uint16_t ethertype, InnerType& type) {
  switch (ethertype) {
    case 0x0800: type = InnerType::kIPv4; return true;
    case 0x86DD: type = InnerType::kIPv6; return true;
    case 0x6558: type = InnerType::kEthernet; return true;
    default: return false;
  }
}

TunnelStatus decode_gre(ByteView bytes, TunnelPayload& out) {
  Reader r(bytes);
  const auto flags = r.u16be();
  const auto protocol = r.u16be();
  if (!flags || !protocol) return TunnelStatus::kTruncated;
  const unsigned version = *flags & kVersionMask;
  if (version > 1 || (version == 1 && ((*flags & kKeyPresent) == 0 || *protocol != kProtoPpp)))
    return TunnelStatus::kMalformed;
  if ((*flags & (kChecksumPresent | kRoutingPresent)) && !r.skip(4)) return TunnelStatus::kTruncated;
  if (*flags & kKeyPresent) {
    const auto key = r.u32be();
    if (!key) return TunnelStatus::kTruncated;
    out.has_id = true;
    out.id = version == 1 ? (*key & 0xFFFF) : *key;  // PPTP: the call id
  }
  const bool has_sequence = (*flags & kSequencePresent) != 0;
  if (has_sequence && !r.skip(4)) return TunnelStatus::kTruncated;
  if (version == 1) {
    if ((*flags & kAckPresent) && !r.skip(4)) return TunnelStatus::kTruncated;
    return ppp_payload(r, out);
  }
  if ((*flags & kRoutingPresent) && !skip_routing(r)) return TunnelStatus::kTruncated;
  if (*protocol == kProtoErspan2 || *protocol == kProtoErspan3) {
    out.kind = TunnelKind::kErspan;
    out.has_id = false;
    if (*protocol == kProtoErspan3) return erspan(r, 2, out);
    if (has_sequence) return erspan(r, 1, out);
    out.type = InnerType::kEthernet;  // type I: the frame follows GRE directly
    out.bytes = r.rest();
    return TunnelStatus::kInner;
  }
  if (*protocol == kProtoWccp) {
    // WCCPv2 puts a redirect header before the IPv4 packet (v1 does not):
    // an IPv4 header starts with 0x4?, a v2 redirect header never does.
    const ByteView rest = r.rest();
    if (rest.empty()) return TunnelStatus::kTruncated;
    if ((rest[0] >> 4) != 4 && !r.skip(kWccpRedirectHeader)) return TunnelStatus::kTruncated;
    out.type = InnerType::kIPv4;
    out.bytes = r.rest();
    return TunnelStatus::kInner;
  }
  if (!inner_type_of_ethertype(*protocol, out.type)) return TunnelStatus::kUnknownNext;
  out.bytes = r.rest();
  return TunnelStatus::kInner;
}

}  // namespace tcpflow::decode
