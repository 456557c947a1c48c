// A non-owning view of bytes. Never outlives the buffer it points into.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tcpflow {

class ByteView {
 public:
  constexpr ByteView() = default;
  constexpr ByteView(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit ByteView(std::string_view s)
      : data_(reinterpret_cast<const uint8_t*>(s.data())), size_(s.size()) {}

  constexpr const uint8_t* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr uint8_t operator[](size_t i) const { return data_[i]; }
  constexpr const uint8_t* begin() const { return data_; }
  constexpr const uint8_t* end() const { return data_ + size_; }

  // Sub-view clamped to the available bytes, so callers cannot read past the end.
  constexpr ByteView subview(size_t offset, size_t count = SIZE_MAX) const {
    if (offset > size_) return ByteView(data_ + size_, 0);
    size_t avail = size_ - offset;
    return ByteView(data_ + offset, count < avail ? count : avail);
  }
  constexpr ByteView first(size_t count) const { return subview(0, count); }
  std::string_view as_chars() const {
    return std::string_view(reinterpret_cast<const char*>(data_), size_);
  }
  bool equals(ByteView other) const {
    return size_ == other.size_ && (size_ == 0 || std::memcmp(data_, other.data_, size_) == 0);
  }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tcpflow
