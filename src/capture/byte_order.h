// Loads of capture-file integers whose byte order is chosen per file (classic
// pcap and pcapng are written in the byte order of the machine that wrote
// them). memcpy keeps the loads legal on unaligned buffers.
#pragma once
#include <cstdint>
#include <cstring>

namespace tcpflow::capture {

inline uint16_t load_u16(const uint8_t* p, bool swap) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return swap ? __builtin_bswap16(v) : v;
}

inline uint32_t load_u32(const uint8_t* p, bool swap) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return swap ? __builtin_bswap32(v) : v;
}

inline void store_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

inline void store_le16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Passing this as `swap` reads bytes in file order (big-endian), as magic
// numbers are printed in messages.
constexpr bool kHostIsLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

}  // namespace tcpflow::capture
