#include "scanners/http_chunked.h"

namespace tcpflow::scanners::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// "1a2b[;ext...]" with optional blanks around the number. False when there
// is no hex digit or the size would not fit 60 bits (no real body is that
// large, and the bound keeps every later sum far from overflow).
bool parse_chunk_size(std::string_view line, uint64_t& size) {
  size_t i = 0;
  while (i < line.size() && is_blank(line[i])) ++i;
  size_t digits = 0;
  uint64_t value = 0;
  for (; i < line.size() && hex_value(line[i]) >= 0; ++i, ++digits) {
    if (value >> 56) return false;
    value = value * 16 + static_cast<uint64_t>(hex_value(line[i]));
  }
  if (digits == 0) return false;
  // A stray CR before the CR LF is tolerated, as browsers do ("f\r\r\n").
  while (i < line.size() && (is_blank(line[i]) || line[i] == '\r')) ++i;
  if (i < line.size() && line[i] != ';') return false;
  size = value;
  return true;
}

}  // namespace

ChunkedDecoder::Step ChunkedDecoder::fail(size_t consumed, const char* why) {
  state_ = State::kFailed;
  error_ = why;
  return Step{consumed, {}};
}

ChunkedDecoder::Step ChunkedDecoder::step(ByteView in) {
  switch (state_) {
    case State::kData: {
      size_t n = in.size() < remaining_ ? in.size() : static_cast<size_t>(remaining_);
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::kDataEnd;
      return Step{n, in.first(n)};
    }
    case State::kSize:
    case State::kDataEnd:
    case State::kTrailer: {
      size_t n = line_.take(in);
      if (line_.too_long()) return fail(n, "chunk line too long");
      if (!line_.complete()) return Step{n, {}};
      std::string_view line = line_.line();
      if (state_ == State::kSize) {
        uint64_t size = 0;
        if (!parse_chunk_size(line, size)) return fail(n, "bad chunk size");
        remaining_ = size;
        state_ = size == 0 ? State::kTrailer : State::kData;
      } else if (state_ == State::kDataEnd) {
        if (!line.empty()) return fail(n, "chunk data not followed by CRLF");
        state_ = State::kSize;
      } else if (line.empty()) {
        state_ = State::kDone;
      } else if (++trailers_ > max_trailers_) {
        return fail(n, "too many trailer fields");
      }
      line_.clear();
      return Step{n, {}};
    }
    case State::kDone:
    case State::kFailed:
      break;
  }
  return Step{};
}

}  // namespace tcpflow::scanners::http
