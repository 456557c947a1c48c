// Plain views produced by the decoders. Each view points into the capture
// record (or the defragmenter's buffer) and is valid only until the next packet.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>

#include "util/byte_view.h"

namespace tcpflow::decode {

enum class NetProto : uint8_t { kUnknown = 0, kIPv4 = 4, kIPv6 = 6 };

constexpr uint16_t kNoVlan = 0xFFFF;

using MacAddress = std::array<uint8_t, 6>;

// What the link-layer decoder found in front of the network layer.
struct LinkLayer {
  NetProto proto = NetProto::kUnknown;
  ByteView l3;             // network-layer bytes as captured
  bool has_macs = false;   // only true for link types that carry MACs (Ethernet, SLL source)
  MacAddress src_mac{};
  MacAddress dst_mac{};
  uint16_t vlan = kNoVlan; // 12-bit VID of the outermost 802.1Q/802.1ad tag, priority bits removed
};

struct IpAddress {
  uint8_t family = 0;  // 4 or 6
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes, the rest stay zero

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.family == b.family && a.bytes == b.bytes;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    if (a.family != b.family) return a.family < b.family;
    return a.bytes < b.bytes;
  }
};

// One IP datagram (or one fragment of one).
struct IpPacket {
  NetProto proto = NetProto::kUnknown;
  IpAddress src;
  IpAddress dst;
  uint8_t transport = 0;       // protocol / final next-header (6 = TCP)
  ByteView payload;            // transport bytes actually captured (never beyond the IP length)
  uint32_t payload_length = 0; // transport length the IP header claims
  bool length_from_capture = false;  // IPv4 total length 0 (TSO): captured length used instead
  // The IPv4 header checksum is wrong (for a reassembled datagram: some of
  // its bytes came only from fragments whose header checksum was wrong). The
  // packet is a corrupted copy, like one with a bad TCP checksum.
  bool header_checksum_bad = false;
  // Fragmentation (IPv4 MF/offset, IPv6 fragment header).
  bool is_fragment = false;
  uint32_t fragment_id = 0;
  uint32_t fragment_offset = 0;  // in bytes
  bool more_fragments = false;
};

enum TcpFlag : uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
};

enum class ChecksumStatus : uint8_t { kGood, kBad, kUnverified };

struct TcpSegment {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint32_t seq = 0;
  uint32_t ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;
  ByteView payload;             // payload bytes actually captured
  uint32_t payload_length = 0;  // payload length implied by the IP length
  ChecksumStatus checksum = ChecksumStatus::kUnverified;
};

}  // namespace tcpflow::decode
