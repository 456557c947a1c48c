#include "capture/pcapng_interface.h"

#include <cstring>

#include "capture/byte_order.h"

namespace tcpflow::capture {
namespace {

constexpr size_t kIdbFixedLen = 8;  // link type, reserved, snaplen
constexpr uint16_t kOptEnd = 0;
constexpr uint16_t kOptTsResol = 9;
constexpr uint16_t kOptTsOffset = 14;
constexpr uint8_t kTsResolBinary = 0x80;
// 10^19 is the largest power of ten in a uint64_t.
constexpr unsigned kMaxDecimalExponent = 19;
constexpr unsigned kMaxBinaryExponent = 63;

uint64_t pow10(unsigned e) {
  uint64_t v = 1;
  while (e-- > 0) v *= 10;
  return v;
}

}  // namespace

bool PcapngInterface::set_resolution(uint8_t tsresol, std::string& why) {
  unsigned exponent = tsresol & ~kTsResolBinary;
  if (tsresol & kTsResolBinary) {
    if (exponent > kMaxBinaryExponent) {
      why = "unsupported if_tsresol 2^-" + std::to_string(exponent);
      return false;
    }
    binary_ = true;
    shift_ = exponent;
    return true;
  }
  if (exponent > kMaxDecimalExponent) {
    why = "unsupported if_tsresol 10^-" + std::to_string(exponent);
    return false;
  }
  binary_ = false;
  units_per_second_ = pow10(exponent);
  nanos_per_unit_ = exponent <= 9 ? pow10(9 - exponent) : 0;
  units_per_nano_ = exponent > 9 ? pow10(exponent - 9) : 0;
  return true;
}

bool PcapngInterface::parse(ByteView body, bool swap, std::string& why) {
  if (body.size() < kIdbFixedLen) {
    why = "interface description block too short";
    return false;
  }
  link_type_ = load_u16(body.data(), swap);
  snaplen_ = load_u32(body.data() + 4, swap);

  size_t pos = kIdbFixedLen;
  while (body.size() - pos >= 4) {
    uint16_t code = load_u16(body.data() + pos, swap);
    uint16_t len = load_u16(body.data() + pos + 2, swap);
    pos += 4;
    if (code == kOptEnd) break;
    size_t padded = (size_t{len} + 3) & ~size_t{3};
    if (body.size() - pos < padded) {
      why = "interface description block option runs past the block";
      return false;
    }
    const uint8_t* value = body.data() + pos;
    if (code == kOptTsResol) {
      if (len != 1) {
        why = "bad if_tsresol option length " + std::to_string(len);
        return false;
      }
      if (!set_resolution(value[0], why)) return false;
    } else if (code == kOptTsOffset) {
      if (len != 8) {
        why = "bad if_tsoffset option length " + std::to_string(len);
        return false;
      }
      uint64_t raw;
      std::memcpy(&raw, value, sizeof raw);
      if (swap) raw = __builtin_bswap64(raw);
      offset_seconds_ = static_cast<int64_t>(raw);
    }
    pos += padded;
  }
  return true;
}

}  // namespace tcpflow::capture
