#include "decode/link.h"

#include <algorithm>

#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint16_t kEtherQinQLegacy1 = 0x9100;
constexpr uint16_t kEtherQinQLegacy2 = 0x9200;
constexpr uint16_t kEtherMplsUnicast = 0x8847;
constexpr uint16_t kEtherMplsMulticast = 0x8848;
constexpr uint16_t kEtherPppoeSession = 0x8864;
constexpr uint16_t kFirstEthertype = 0x0600;  // smaller values are 802.3 lengths
constexpr uint16_t kSllLlc = 0x0004;          // SLL: an 802.2 LLC header follows

constexpr uint16_t kPppIpv4 = 0x0021;
constexpr uint16_t kPppIpv6 = 0x0057;
constexpr uint16_t kPppMplsUnicast = 0x0281;
constexpr uint16_t kPppMplsMulticast = 0x0283;

constexpr int kMaxVlanTags = 8;     // real networks stack two, maybe three
constexpr int kMaxMplsLabels = 16;  // bounds a hostile label stack

LinkStatus malformed(Stats& stats) {
  stats.add(Counter::kTruncatedLinkHeader);
  return LinkStatus::kMalformed;
}

LinkStatus not_ip(Stats& stats) {
  stats.add(Counter::kUnknownEthertype);
  return LinkStatus::kNotIp;
}

LinkStatus found(NetProto proto, ByteView l3, LinkLayer& out) {
  out.proto = proto;
  out.l3 = l3;
  return LinkStatus::kIp;
}

// Links that carry IP without saying which version: the first nibble decides.
LinkStatus by_version_nibble(ByteView l3, LinkLayer& out, Stats& stats) {
  if (l3.empty()) {
    stats.add(Counter::kTruncatedIpHeader);
    return LinkStatus::kMalformed;
  }
  switch (l3[0] >> 4) {
    case 4: return found(NetProto::kIPv4, l3, out);
    case 6: return found(NetProto::kIPv6, l3, out);
    default:
      stats.add(Counter::kBadIpHeader);
      return LinkStatus::kMalformed;
  }
}

LinkStatus decode_mpls(ByteView rest, LinkLayer& out, Stats& stats) {
  Reader r(rest);
  for (int i = 0; i < kMaxMplsLabels; ++i) {
    auto entry = r.u32be();
    if (!entry) return malformed(stats);
    if ((*entry & 0x100) == 0) continue;  // not the bottom of the stack yet
    // MPLS does not name its payload; anything but IP (pseudowires) is skipped.
    ByteView l3 = r.rest();
    if (l3.empty()) return malformed(stats);
    switch (l3[0] >> 4) {
      case 4: return found(NetProto::kIPv4, l3, out);
      case 6: return found(NetProto::kIPv6, l3, out);
      default: return not_ip(stats);
    }
  }
  return malformed(stats);
}

LinkStatus decode_ppp_protocol(uint16_t protocol, ByteView rest, LinkLayer& out,
                               Stats& stats) {
  switch (protocol) {
    case kPppIpv4: return found(NetProto::kIPv4, rest, out);
    case kPppIpv6: return found(NetProto::kIPv6, rest, out);
    case kPppMplsUnicast:
    case kPppMplsMulticast: return decode_mpls(rest, out, stats);
    default: return not_ip(stats);
  }
}

LinkStatus decode_pppoe_session(ByteView rest, LinkLayer& out, Stats& stats) {
  // version/type, code, session id, length, then the PPP protocol field.
  if (rest.size() < 8) return malformed(stats);
  const uint16_t length = load_be16(rest.data() + 4);
  const uint16_t protocol = load_be16(rest.data() + 6);
  ByteView payload = rest.subview(8);
  // The PPPoE length excludes Ethernet padding; use it when it is plausible.
  if (length >= 2) payload = payload.first(length - 2u);
  return decode_ppp_protocol(protocol, payload, out, stats);
}

LinkStatus dispatch_ethertype(uint16_t type, ByteView rest, LinkLayer& out, Stats& stats,
                              bool allow_llc);

// 802.2 LLC; only SNAP (AA AA 03, OUI, ethertype) can carry IP here.
LinkStatus decode_llc(ByteView rest, LinkLayer& out, Stats& stats) {
  if (rest.size() < 3) return malformed(stats);
  if (rest[0] != 0xAA || rest[1] != 0xAA || rest[2] != 0x03) return not_ip(stats);
  if (rest.size() < 8) return malformed(stats);
  return dispatch_ethertype(load_be16(rest.data() + 6), rest.subview(8), out, stats,
                            /*allow_llc=*/false);
}

bool is_vlan_tpid(uint16_t type) {
  return type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQLegacy1 ||
         type == kEtherQinQLegacy2;
}

// Follows VLAN tags and encapsulations from an ethertype to the IP header.
// `allow_llc` is off below a SNAP header so hostile frames cannot recurse.
LinkStatus dispatch_ethertype(uint16_t type, ByteView rest, LinkLayer& out, Stats& stats,
                              bool allow_llc) {
  for (int tags = 0; is_vlan_tpid(type); ++tags) {
    if (tags == kMaxVlanTags || rest.size() < 4) return malformed(stats);
    if (tags == 0) out.vlan = load_be16(rest.data()) & 0x0FFF;  // outermost VID only
    type = load_be16(rest.data() + 2);
    rest = rest.subview(4);
  }
  switch (type) {
    case kEtherIpv4: return found(NetProto::kIPv4, rest, out);
    case kEtherIpv6: return found(NetProto::kIPv6, rest, out);
    case kEtherMplsUnicast:
    case kEtherMplsMulticast: return decode_mpls(rest, out, stats);
    case kEtherPppoeSession: return decode_pppoe_session(rest, out, stats);
    default:
      if (type < kFirstEthertype && allow_llc) return decode_llc(rest, out, stats);
      return not_ip(stats);
  }
}

LinkStatus decode_ethernet(ByteView frame, LinkLayer& out, Stats& stats) {
  if (frame.size() < 14) return malformed(stats);
  out.has_macs = true;
  std::copy_n(frame.data(), 6, out.dst_mac.begin());
  std::copy_n(frame.data() + 6, 6, out.src_mac.begin());
  return dispatch_ethertype(load_be16(frame.data() + 12), frame.subview(14), out, stats,
                            /*allow_llc=*/true);
}

// BSD loopback: a 4-byte address family in host byte order (NULL) or network
// order (LOOP). Both orders are accepted for both: no family value is
// ambiguous, and captures move between machines.
LinkStatus decode_loopback(ByteView frame, LinkLayer& out, Stats& stats) {
  if (frame.size() < 4) return malformed(stats);
  const uint32_t be = load_be32(frame.data());
  const uint32_t le = (uint32_t(frame[3]) << 24) | (uint32_t(frame[2]) << 16) |
                      (uint32_t(frame[1]) << 8) | frame[0];
  ByteView l3 = frame.subview(4);
  for (uint32_t family : {le, be}) {
    switch (family) {
      case 2: return found(NetProto::kIPv4, l3, out);  // AF_INET everywhere
      case 10:  // AF_INET6: Linux
      case 24:  // NetBSD, OpenBSD, BSD/OS
      case 28:  // FreeBSD, DragonFly
      case 30:  // macOS / Darwin
        return found(NetProto::kIPv6, l3, out);
      default: break;
    }
  }
  return not_ip(stats);
}

LinkStatus decode_raw(ByteView frame, LinkLayer& out, Stats& stats) {
  return by_version_nibble(frame, out, stats);
}

LinkStatus decode_ipv4_link(ByteView frame, LinkLayer& out, Stats&) {
  return found(NetProto::kIPv4, frame, out);
}

LinkStatus decode_ipv6_link(ByteView frame, LinkLayer& out, Stats&) {
  return found(NetProto::kIPv6, frame, out);
}

// On MAC-addressed interfaces the SLL link address is the sender's MAC; the
// receiver's is not recorded, so dst_mac stays zero. Other hardware types
// (loopback's all-zero address, tunnels) carry no MAC at all.
void take_sll_address(ByteView addr, size_t addr_len, uint16_t hatype, LinkLayer& out) {
  constexpr uint16_t kArphrdEther = 1, kArphrdIeee802 = 6, kArphrdIeee80211 = 801;
  if (addr_len != 6) return;
  if (hatype != kArphrdEther && hatype != kArphrdIeee802 && hatype != kArphrdIeee80211) return;
  out.has_macs = true;
  std::copy_n(addr.data(), 6, out.src_mac.begin());
}

LinkStatus dispatch_sll_protocol(uint16_t protocol, ByteView rest, LinkLayer& out,
                                 Stats& stats) {
  // Below 0x0600 the field is a Linux pseudo-protocol (802.3 raw, CAN, ...).
  if (protocol == kSllLlc) return decode_llc(rest, out, stats);
  if (protocol < kFirstEthertype) return not_ip(stats);
  return dispatch_ethertype(protocol, rest, out, stats, /*allow_llc=*/false);
}

LinkStatus decode_linux_sll(ByteView frame, LinkLayer& out, Stats& stats) {
  if (frame.size() < 16) return malformed(stats);
  take_sll_address(frame.subview(6, 8), load_be16(frame.data() + 4),
                   load_be16(frame.data() + 2), out);
  return dispatch_sll_protocol(load_be16(frame.data() + 14), frame.subview(16), out, stats);
}

LinkStatus decode_linux_sll2(ByteView frame, LinkLayer& out, Stats& stats) {
  if (frame.size() < 20) return malformed(stats);
  take_sll_address(frame.subview(12, 8), frame[11], load_be16(frame.data() + 8), out);
  return dispatch_sll_protocol(load_be16(frame.data()), frame.subview(20), out, stats);
}

// Cisco HDLC: address, control, then an ethertype.
LinkStatus decode_cisco_hdlc(ByteView frame, LinkLayer& out, Stats& stats) {
  if (frame.size() < 4) return malformed(stats);
  ByteView rest = frame.subview(4);
  switch (load_be16(frame.data() + 2)) {
    case kEtherIpv4: return found(NetProto::kIPv4, rest, out);
    case kEtherIpv6: return found(NetProto::kIPv6, rest, out);
    default: return not_ip(stats);
  }
}

// PPP: optional FF 03 address/control, then a 2-byte protocol, or a 1-byte
// one when protocol-field compression is on (the low bit of the first byte is set).
LinkStatus decode_ppp(ByteView frame, LinkLayer& out, Stats& stats) {
  Reader r(frame);
  if (frame.size() >= 2 && frame[0] == 0xFF && frame[1] == 0x03) r.skip(2);
  auto first = r.u8();
  if (!first) return malformed(stats);
  uint16_t protocol = *first;
  if ((*first & 1) == 0) {
    auto second = r.u8();
    if (!second) return malformed(stats);
    protocol = static_cast<uint16_t>((protocol << 8) | *second);
  }
  return decode_ppp_protocol(protocol, r.rest(), out, stats);
}

// DLT_PPP_SERIAL captures may hold Cisco HDLC frames (address 0x0F or 0x8F).
LinkStatus decode_ppp_hdlc(ByteView frame, LinkLayer& out, Stats& stats) {
  if (!frame.empty() && (frame[0] == 0x0F || frame[0] == 0x8F))
    return decode_cisco_hdlc(frame, out, stats);
  return decode_ppp(frame, out, stats);
}

struct LinkEntry {
  int link_type;
  LinkStatus (*decode)(ByteView, LinkLayer&, Stats&);
};

constexpr LinkEntry kLinks[] = {
    {kLinkEthernet, decode_ethernet},   {kLinkLinuxSll, decode_linux_sll},
    {kLinkRawFile, decode_raw},         {kLinkNull, decode_loopback},
    {kLinkLoop, decode_loopback},       {kLinkRaw, decode_raw},
    {kLinkRawOpenBsd, decode_raw},      {kLinkIpv4, decode_ipv4_link},
    {kLinkIpv6, decode_ipv6_link},      {kLinkLinuxSll2, decode_linux_sll2},
    {kLinkPpp, decode_ppp},             {kLinkPppHdlc, decode_ppp_hdlc},
    {kLinkCiscoHdlc, decode_cisco_hdlc},
};

const LinkEntry* find_link(int link_type) {
  for (const LinkEntry& e : kLinks)
    if (e.link_type == link_type) return &e;
  return nullptr;
}

}  // namespace

bool link_known(int link_type) { return find_link(link_type) != nullptr; }

LinkStatus decode_link(int link_type, ByteView frame, LinkLayer& out, Stats& stats) {
  out = LinkLayer{};
  const LinkEntry* entry = find_link(link_type);
  if (!entry) {
    stats.add(Counter::kUnsupportedLinkType);
    return LinkStatus::kUnsupported;
  }
  LinkStatus status = entry->decode(frame, out, stats);
  if (status != LinkStatus::kIp) out.l3 = ByteView();
  return status;
}

}  // namespace tcpflow::decode
