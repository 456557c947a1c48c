#include "decode/checksum.h"

#include <cstring>

namespace tcpflow::decode {

namespace {

constexpr bool kHostIsLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

}  // namespace

void ChecksumAccumulator::add(ByteView bytes) {
  const uint8_t* p = bytes.data();
  const size_t n = bytes.size();
  size_t i = 0;
  if (odd_ && n > 0) {
    sum_ += p[0];
    i = 1;
    odd_ = false;
  }
  // Eight bytes at a time: the ones'-complement sum does not depend on byte
  // order (RFC 1071), so add the words as they lie in memory and swap the
  // folded result once. Each step adds less than 2^33: no overflow.
  if (n - i >= 16) {
    uint64_t native = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, p + i, sizeof w);
      native += (w & 0xFFFFFFFFu) + (w >> 32);
    }
    while (native >> 16) native = (native & 0xFFFF) + (native >> 16);
    uint16_t folded = static_cast<uint16_t>(native);
    if (kHostIsLittleEndian) folded = static_cast<uint16_t>((folded >> 8) | (folded << 8));
    sum_ += folded;
  }
  for (; i + 1 < n; i += 2) sum_ += (uint32_t(p[i]) << 8) | p[i + 1];
  if (i < n) {
    sum_ += uint32_t(p[i]) << 8;
    odd_ = true;
  }
}

void ChecksumAccumulator::add_u16(uint16_t value) {
  const uint8_t b[2] = {uint8_t(value >> 8), uint8_t(value)};
  add(ByteView(b, sizeof b));
}

void ChecksumAccumulator::add_u32(uint32_t value) {
  const uint8_t b[4] = {uint8_t(value >> 24), uint8_t(value >> 16), uint8_t(value >> 8),
                        uint8_t(value)};
  add(ByteView(b, sizeof b));
}

uint16_t ChecksumAccumulator::sum() const {
  uint64_t s = sum_;
  while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
  return static_cast<uint16_t>(s);
}

uint16_t internet_checksum(ByteView bytes) {
  ChecksumAccumulator acc;
  acc.add(bytes);
  return acc.checksum();
}

void add_pseudo_header(ChecksumAccumulator& acc, const IpAddress& src, const IpAddress& dst,
                       uint8_t protocol, uint32_t length) {
  const size_t addr_len = src.family == 6 ? 16 : 4;
  acc.add(ByteView(src.bytes.data(), addr_len));
  acc.add(ByteView(dst.bytes.data(), addr_len));
  if (src.family == 6) {
    acc.add_u32(length);
    acc.add_u32(protocol);
  } else {
    acc.add_u16(protocol);
    acc.add_u16(static_cast<uint16_t>(length));
  }
}

bool transport_checksum_ok(const IpAddress& src, const IpAddress& dst, uint8_t protocol,
                           ByteView segment) {
  ChecksumAccumulator acc;
  add_pseudo_header(acc, src, dst, protocol, static_cast<uint32_t>(segment.size()));
  acc.add(segment);
  return acc.verifies();
}

}  // namespace tcpflow::decode
