// Bounds-checked big-endian cursor over a ByteView. Every read returns
// std::nullopt instead of reading past the end, so decoders of hostile input
// cannot overrun their buffer.
#pragma once
#include <optional>

#include "util/byte_view.h"

namespace tcpflow {

class Reader {
 public:
  explicit Reader(ByteView view) : view_(view) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return view_.size() - pos_; }
  ByteView rest() const { return view_.subview(pos_); }

  std::optional<uint8_t> u8() {
    if (remaining() < 1) return std::nullopt;
    return view_[pos_++];
  }
  std::optional<uint16_t> u16be() {
    if (remaining() < 2) return std::nullopt;
    uint16_t v = static_cast<uint16_t>((view_[pos_] << 8) | view_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::optional<uint16_t> u16le() {
    if (remaining() < 2) return std::nullopt;
    uint16_t v = static_cast<uint16_t>(view_[pos_] | (view_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
  }
  std::optional<uint32_t> u32be() {
    if (remaining() < 4) return std::nullopt;
    uint32_t v = (uint32_t(view_[pos_]) << 24) | (uint32_t(view_[pos_ + 1]) << 16) |
                 (uint32_t(view_[pos_ + 2]) << 8) | uint32_t(view_[pos_ + 3]);
    pos_ += 4;
    return v;
  }
  std::optional<uint32_t> u32le() {
    if (remaining() < 4) return std::nullopt;
    uint32_t v = uint32_t(view_[pos_]) | (uint32_t(view_[pos_ + 1]) << 8) |
                 (uint32_t(view_[pos_ + 2]) << 16) | (uint32_t(view_[pos_ + 3]) << 24);
    pos_ += 4;
    return v;
  }
  std::optional<ByteView> bytes(size_t count) {
    if (remaining() < count) return std::nullopt;
    ByteView v = view_.subview(pos_, count);
    pos_ += count;
    return v;
  }
  bool skip(size_t count) {
    if (remaining() < count) return false;
    pos_ += count;
    return true;
  }

 private:
  ByteView view_;
  size_t pos_ = 0;
};

// Unchecked big-endian loads for callers that have already checked the length.
inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

}  // namespace tcpflow
