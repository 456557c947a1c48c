// Bytes as lowercase hex digits, two per byte (digests in reports and
// scanner output are written this way).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace tcpflow {

inline std::string lowercase_hex(const uint8_t* bytes, size_t count) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * count, '0');
  for (size_t i = 0; i < count; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

}  // namespace tcpflow
