// One pcapng Interface Description Block: its link type, snap length and the
// timestamp resolution/offset needed to turn its raw 64-bit timestamps into
// seconds and nanoseconds.
#pragma once
#include <cstdint>
#include <string>

#include "util/byte_view.h"
#include "util/timestamp.h"

namespace tcpflow::capture {

class PcapngInterface {
 public:
  // Parses an IDB body (the bytes between the block length fields). Returns
  // false with the reason in `why` for a malformed block or an
  // if_tsresol we cannot represent.
  bool parse(ByteView body, bool swap, std::string& why);

  int link_type() const { return link_type_; }
  uint32_t snaplen() const { return snaplen_; }

  Timestamp to_timestamp(uint64_t raw) const {
    uint64_t sec = 0;
    uint64_t nsec = 0;
    if (binary_) {
      sec = shift_ == 0 ? raw : raw >> shift_;
      uint64_t frac = shift_ == 0 ? 0 : raw & ((uint64_t{1} << shift_) - 1);
      nsec = static_cast<uint64_t>((static_cast<unsigned __int128>(frac) * kNanos) >> shift_);
    } else {
      sec = raw / units_per_second_;
      uint64_t frac = raw % units_per_second_;
      nsec = nanos_per_unit_ != 0 ? frac * nanos_per_unit_ : frac / units_per_nano_;
    }
    Timestamp ts;
    // Unsigned addition: a hostile offset wraps instead of overflowing.
    ts.sec = static_cast<int64_t>(sec + static_cast<uint64_t>(offset_seconds_));
    ts.nsec = static_cast<uint32_t>(nsec);
    return ts;
  }

 private:
  static constexpr uint64_t kNanos = 1000000000;

  bool set_resolution(uint8_t tsresol, std::string& why);

  int link_type_ = 0;
  uint32_t snaplen_ = 0;
  // Default resolution is microseconds (if_tsresol absent).
  bool binary_ = false;           // 2^-shift_ seconds per unit
  unsigned shift_ = 0;
  uint64_t units_per_second_ = 1000000;  // decimal: 10^exponent
  uint64_t nanos_per_unit_ = 1000;       // decimal, exponent <= 9
  uint64_t units_per_nano_ = 0;          // decimal, exponent > 9
  int64_t offset_seconds_ = 0;           // if_tsoffset
};

}  // namespace tcpflow::capture
