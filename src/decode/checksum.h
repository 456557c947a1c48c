// The Internet checksum (RFC 1071) used by IPv4 headers and by TCP. Public so
// other modules (tests, pcap writers) can build or check packets the same way.
#pragma once
#include <cstdint>

#include "decode/packet.h"
#include "util/byte_view.h"

namespace tcpflow::decode {

// Accumulates the 16-bit ones'-complement sum over any number of byte runs.
// A run may have an odd length: the next run then continues mid-word, so a
// header and a payload can be added separately.
class ChecksumAccumulator {
 public:
  void add(ByteView bytes);
  void add_u16(uint16_t value);
  void add_u32(uint32_t value);
  // The folded ones'-complement sum of everything added.
  uint16_t sum() const;
  // The value a sender stores in the checksum field.
  uint16_t checksum() const { return static_cast<uint16_t>(~sum()); }
  // True when the bytes added (checksum field included) verify.
  bool verifies() const { return sum() == 0xFFFF; }

 private:
  uint64_t sum_ = 0;  // 64 bits: a jumbogram's words cannot overflow it
  bool odd_ = false;  // an odd number of bytes so far: the next byte is a low byte
};

// Checksum value for `bytes` (checksum field zeroed by the caller).
uint16_t internet_checksum(ByteView bytes);

// Adds the TCP/UDP pseudo-header: IPv4 (src, dst, zero, protocol, 16-bit
// length) or IPv6 (src, dst, 32-bit length, zeros, next header).
void add_pseudo_header(ChecksumAccumulator& acc, const IpAddress& src, const IpAddress& dst,
                       uint8_t protocol, uint32_t length);

// True when `segment` (a whole TCP segment, checksum included) verifies
// against the pseudo-header built from src, dst and segment.size().
bool transport_checksum_ok(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                           ByteView segment);

}  // namespace tcpflow::decode
