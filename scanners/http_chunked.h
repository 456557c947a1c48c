// The chunked transfer coding (RFC 9112 section 7.1), decoded incrementally:
// the caller hands in whatever bytes it has and gets back how many were
// consumed plus a view of chunk data inside them (never copied). Used by the
// message parser and again when a body has to be re-read from the flow file.
#pragma once
#include <cstdint>

#include "scanners/http_line.h"
#include "util/byte_view.h"

namespace tcpflow::scanners::http {

class ChunkedDecoder {
 public:
  struct Step {
    size_t consumed = 0;
    ByteView data;  // chunk data within the consumed bytes (may be empty)
  };

  ChunkedDecoder(size_t max_line, size_t max_trailers)
      : line_(max_line), max_trailers_(max_trailers) {}

  // One step of progress on `in` (which must not be empty unless done or
  // failed). Call again with the rest until done(), failed() or `in` is used up.
  Step step(ByteView in);

  bool done() const { return state_ == State::kDone; }
  bool failed() const { return state_ == State::kFailed; }
  const char* error() const { return error_; }
  size_t trailers() const { return trailers_; }
  // Bytes of the current (or failing) size/trailer line taken so far.
  size_t line_bytes() const { return line_.bytes_seen(); }
  // Whether that line's end has been seen (a line found too long may not).
  bool line_complete() const { return line_.complete(); }

 private:
  enum class State : uint8_t { kSize, kData, kDataEnd, kTrailer, kDone, kFailed };
  Step fail(size_t consumed, const char* why);

  State state_ = State::kSize;
  uint64_t remaining_ = 0;
  LineBuffer line_;
  size_t max_trailers_;
  size_t trailers_ = 0;
  const char* error_ = "";
};

}  // namespace tcpflow::scanners::http
