// Link-layer decoding: finds the network-layer bytes (and MACs, VLAN) in a
// frame of a given DLT_/LINKTYPE_ value.
#pragma once
#include <cstdint>

#include "decode/packet.h"
#include "util/byte_view.h"
#include "util/stats.h"

namespace tcpflow::decode {

// DLT_ / LINKTYPE_ values as pcap_datalink() and pcapng interface blocks report them.
constexpr int kLinkNull = 0;
constexpr int kLinkEthernet = 1;
constexpr int kLinkPpp = 9;
constexpr int kLinkRaw = 12;         // DLT_RAW on most systems
constexpr int kLinkRawOpenBsd = 14;  // DLT_RAW on OpenBSD
constexpr int kLinkPppHdlc = 50;     // PPP in HDLC-like framing (may carry Cisco HDLC)
constexpr int kLinkRawFile = 101;    // LINKTYPE_RAW in files
constexpr int kLinkCiscoHdlc = 104;
constexpr int kLinkLoop = 108;
constexpr int kLinkLinuxSll = 113;
constexpr int kLinkIpv4 = 228;
constexpr int kLinkIpv6 = 229;
constexpr int kLinkLinuxSll2 = 276;

enum class LinkStatus : uint8_t {
  kIp,           // out.l3 / out.proto describe an IPv4 or IPv6 packet
  kNotIp,        // well-formed frame of another protocol (kUnknownEthertype counted)
  kMalformed,    // too short for its headers (counted)
  kUnsupported,  // unknown link type (kUnsupportedLinkType counted)
};

// True when decode_link() knows `link_type`.
bool link_known(int link_type);

// Decodes the link header of `frame`. `out` is reset first. Never allocates.
LinkStatus decode_link(int link_type, ByteView frame, LinkLayer& out, Stats& stats);

}  // namespace tcpflow::decode
