// One text line of an HTTP head (start line, header, chunk size, trailer),
// gathered across chunk boundaries with a hard length cap. The buffer keeps
// its capacity between lines, so parsing allocates only while it warms up.
#pragma once
#include <cstring>
#include <string>
#include <string_view>

#include "util/byte_view.h"

namespace tcpflow::scanners::http {

class LineBuffer {
 public:
  explicit LineBuffer(size_t max_line) : max_(max_line) {}

  // Takes the bytes of `in` up to and including the first '\n' (or all of
  // them) and returns how many it took. Never stores more than max_line + 2
  // bytes: past that the line is marked too long and the caller gives up.
  size_t take(ByteView in) {
    const void* nl = in.empty() ? nullptr : std::memchr(in.data(), '\n', in.size());
    size_t n = nl ? static_cast<size_t>(static_cast<const uint8_t*>(nl) - in.data()) + 1
                  : in.size();
    size_t room = max_ + 2 > buf_.size() ? max_ + 2 - buf_.size() : 0;
    buf_.append(reinterpret_cast<const char*>(in.data()), n < room ? n : room);
    seen_ += n;
    complete_ = nl != nullptr;
    return n;
  }

  bool complete() const { return complete_; }
  // The line (CR LF or bare LF not counted) is longer than max_line. An
  // unfinished line may still end in the CR of its CR LF, hence the + 1.
  bool too_long() const {
    return complete_ ? line().size() > max_ : buf_.size() > max_ + 1;
  }
  bool empty() const { return seen_ == 0; }
  size_t bytes_seen() const { return seen_; }
  std::string_view raw() const { return buf_; }

  // The completed line without its terminator (bare LF accepted, as
  // real servers send it).
  std::string_view line() const {
    std::string_view s = buf_;
    if (complete_ && !s.empty() && s.back() == '\n') s.remove_suffix(1);
    if (complete_ && !s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
  }

  void clear() {
    buf_.clear();
    seen_ = 0;
    complete_ = false;
  }

 private:
  size_t max_;
  std::string buf_;
  size_t seen_ = 0;
  bool complete_ = false;
};

}  // namespace tcpflow::scanners::http
