#include "scanners/http_parser.h"

#include <cstring>

namespace tcpflow::scanners::http {

namespace {

// Stored header values are informational past this size; the cap keeps a
// head with hundreds of repeated fields from growing without bound.
constexpr size_t kMaxStoredValue = 8 * 1024;
// Longer than any registered method; a first "word" past this is not HTTP.
constexpr size_t kMaxMethod = 24;

bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Appends `value` to a stored field, comma-joined as for a repeated field.
void append_value(std::string& field, std::string_view value, std::string_view separator) {
  if (!field.empty()) field.append(separator);
  if (field.size() < kMaxStoredValue) field.append(value.substr(0, kMaxStoredValue - field.size()));
}

// "5" or "5, 5" (a repeated field folded into a list): every element must
// be the same decimal number. Capped below 2^62 so sums cannot overflow.
bool parse_content_length(std::string_view value, uint64_t& out) {
  bool any = false;
  uint64_t first = 0;
  while (true) {
    size_t comma = value.find(',');
    std::string_view item = trim(value.substr(0, comma));
    if (item.empty()) return false;
    uint64_t v = 0;
    for (char c : item) {
      if (!is_digit(c) || v > (uint64_t{1} << 58)) return false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (any && v != first) return false;
    first = v;
    any = true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  out = first;
  return true;
}

// Whether the last transfer coding in the list is "chunked".
bool ends_chunked(std::string_view codings) {
  size_t comma = codings.rfind(',');
  std::string_view last = comma == std::string_view::npos ? codings : codings.substr(comma + 1);
  return iequals(trim(last), "chunked");
}

}  // namespace

const char* stop_name(Stop stop) {
  switch (stop) {
    case Stop::kNone: return "none";
    case Stop::kEndOfStream: return "end";
    case Stop::kTruncatedHead: return "truncated_head";
    case Stop::kNotHttp: return "not_http";
    case Stop::kMalformed: return "malformed";
    case Stop::kUpgrade: return "upgrade";
    case Stop::kTunnel: return "tunnel";
  }
  return "none";
}

Parser::Parser(Role role, Handler& handler, Limits limits)
    : role_(role), handler_(handler), limits_(limits), line_(limits.max_line),
      chunked_(limits.max_line, limits.max_fields) {}

void Parser::feed(ByteView data) {
  while (!data.empty() && state_ != State::kStopped) {
    size_t n = 0;
    switch (state_) {
      case State::kStartLine: n = feed_start_line(data); break;
      case State::kHeaders: n = feed_header_line(data); break;
      case State::kResync: n = feed_resync(data); break;
      default: n = feed_body(data); break;
    }
    pos_ += n;
    data = data.subview(n);
  }
}

void Parser::finish() {
  switch (state_) {
    case State::kStopped:
      return;
    case State::kResync:
      if (resync_detail_ != nullptr) {
        stop_at(Stop::kMalformed, resync_from_, resync_detail_);
      } else {
        stop_at(Stop::kEndOfStream, pos_, "");
      }
      return;
    case State::kStartLine:
      if (line_.empty()) {
        stop_at(Stop::kEndOfStream, pos_, "");
      } else {
        stop_at(messages_ == 0 ? Stop::kNotHttp : Stop::kTruncatedHead, line_start_,
                "the stream ends inside a start line");
      }
      return;
    case State::kHeaders:
      stop_at(Stop::kTruncatedHead, head_.offset, "the stream ends inside a header block");
      return;
    case State::kLengthBody:
    case State::kChunkedBody:
      end_message(End::kTruncated);
      break;
    case State::kCloseBody:
      end_message(End::kComplete);
      break;
  }
  if (state_ != State::kStopped) stop_at(Stop::kEndOfStream, pos_, "");
}

void Parser::stop_at(Stop stop, uint64_t offset, const char* detail) {
  stop_ = stop;
  stop_offset_ = offset;
  stop_detail_ = detail;
  state_ = State::kStopped;
}

void Parser::reject_start(const char* detail) {
  Stop why = Stop::kMalformed;
  if (messages_ == 0) {
    why = Stop::kNotHttp;
  } else if (if_not_http_ != Stop::kNone) {
    why = if_not_http_;  // the other protocol took over after Upgrade/CONNECT
  }
  stop_at(why, line_start_, detail);
}

// A cheap early test on the first bytes of a start line, so a flow of some
// other protocol is dropped after a few bytes rather than after a 64 KiB line.
bool Parser::plausible_start(std::string_view partial) const {
  std::string_view p = partial.substr(0, kMaxMethod + 1);
  constexpr std::string_view kHttp = "HTTP/";
  if (role_ != Role::kRequest) {
    bool looks = p.size() < kHttp.size() ? kHttp.substr(0, p.size()) == p
                                         : p.substr(0, kHttp.size()) == kHttp;
    if (looks) return true;
  }
  if (role_ == Role::kResponse) return false;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == ' ') return i > 0;
    if (!is_tchar(static_cast<unsigned char>(p[i]))) return false;
  }
  return p.size() <= kMaxMethod;
}

size_t Parser::feed_start_line(ByteView in) {
  size_t skipped = 0;
  if (line_.empty()) {
    // Blank lines before a message are tolerated (RFC 9112 section 2.2).
    while (skipped < in.size() && (in[skipped] == '\r' || in[skipped] == '\n')) ++skipped;
    if (skipped == in.size()) return skipped;
    line_start_ = pos_ + skipped;
  }
  ByteView rest = in.subview(skipped);
  size_t n = line_.take(rest);
  for (size_t i = 0; i < n; ++i) {
    uint8_t c = rest[i];
    if (c == 0 && pos_ + skipped + i == line_start_ && can_resync()) {
      // A zero where a response should start: a capture gap. Look for the
      // next response after it rather than giving up on the stream. Only the
      // line's first byte decides: later bytes may be judged (and the line
      // rejected) before they arrive, depending on where the stream was cut.
      begin_resync();
      return skipped + i;
    }
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
      reject_start("control byte in a start line");
      return skipped + n;
    }
  }
  if (line_.too_long()) {
    reject_start("start line too long");
  } else if (!line_.complete()) {
    if (!plausible_start(line_.raw())) reject_start("not an HTTP start line");
  } else if (!parse_start_line(line_.line())) {
    reject_start("not an HTTP start line");
  } else {
    line_.clear();
    state_ = State::kHeaders;
  }
  return skipped + n;
}

bool Parser::parse_start_line(std::string_view line) {
  MessageHead head;
  head.offset = line_start_;
  constexpr std::string_view kHttp1 = "HTTP/1.";
  if (line.substr(0, 5) == "HTTP/") {
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (role_ == Role::kRequest) return false;
    if (line.size() < 12 || line.substr(0, 7) != kHttp1 || !is_digit(line[7])) return false;
    size_t i = 8;
    if (line[i] != ' ') return false;
    while (i < line.size() && line[i] == ' ') ++i;
    if (i + 3 > line.size() || !is_digit(line[i]) || !is_digit(line[i + 1]) ||
        !is_digit(line[i + 2]) || line[i] == '0') {
      return false;
    }
    if (i + 3 < line.size() && line[i + 3] != ' ' && line[i + 3] != '\t') return false;
    head.kind = Role::kResponse;
    head.version_minor = line[7] - '0';
    head.status = (line[i] - '0') * 100 + (line[i + 1] - '0') * 10 + (line[i + 2] - '0');
  } else {
    // method SP request-target SP HTTP/1.x
    if (role_ == Role::kResponse) return false;
    size_t first = line.find(' ');
    size_t last = line.rfind(' ');
    if (first == std::string_view::npos || first == last) return false;
    std::string_view method = line.substr(0, first);
    std::string_view target = trim(line.substr(first + 1, last - first - 1));
    std::string_view version = line.substr(last + 1);
    if (method.size() > kMaxMethod || !is_token(method) || target.empty() ||
        target.find(' ') != std::string_view::npos || version.size() != 8 ||
        version.substr(0, 7) != kHttp1 || !is_digit(version[7])) {
      return false;
    }
    head.kind = Role::kRequest;
    head.method.assign(method);
    head.target.assign(target);
    head.version_minor = version[7] - '0';
  }
  if (role_ == Role::kUnknown) role_ = head.kind;
  head_ = std::move(head);
  last_field_ = nullptr;
  if_not_http_ = Stop::kNone;
  return true;
}

size_t Parser::feed_header_line(ByteView in) {
  if (line_.empty()) line_start_ = pos_;
  size_t n = line_.take(in);
  if (line_.too_long()) {
    stop_at(Stop::kMalformed, line_start_, "header line too long");
    return n;
  }
  if (!line_.complete()) return n;
  std::string_view line = line_.line();
  if (line.empty()) {
    line_.clear();
    head_.body_offset = pos_ + n;
    end_head();
    return n;
  }
  if (line[0] == ' ' || line[0] == '\t') {
    // Obsolete line folding: the line continues the previous field (kept
    // only when that field is one we store).
    if (head_.fields == 0) {
      stop_at(Stop::kMalformed, line_start_, "continuation line without a field");
      return n;
    }
    if (last_field_) append_value(*last_field_, trim(line), " ");
  } else if (!add_field(line)) {
    return n;
  }
  line_.clear();
  return n;
}

bool Parser::add_field(std::string_view line) {
  size_t colon = line.find(':');
  // Blanks before the colon are refused by RFC 9112 but sent by broken or
  // evasive servers; clients accept them, so a forensic parser does too.
  std::string_view name = trim(line.substr(0, colon));
  if (colon == std::string_view::npos || !is_token(name)) {
    stop_at(Stop::kMalformed, line_start_, "bad header field");
    return false;
  }
  if (++head_.fields > limits_.max_fields) {
    stop_at(Stop::kMalformed, line_start_, "too many header fields");
    return false;
  }
  std::string_view value = trim(line.substr(colon + 1));
  last_field_ = nullptr;
  if (iequals(name, "host")) {
    if (head_.host.empty()) append_value(head_.host, value, "");
  } else if (iequals(name, "content-type")) {
    if (head_.content_type.empty()) append_value(head_.content_type, value, "");
  } else if (iequals(name, "content-encoding")) {
    append_value(head_.content_encoding, value, ", ");
    last_field_ = &head_.content_encoding;
  } else if (iequals(name, "transfer-encoding")) {
    append_value(head_.transfer_encoding, value, ", ");
    last_field_ = &head_.transfer_encoding;
  } else if (iequals(name, "content-length")) {
    uint64_t length = 0;
    if (!parse_content_length(value, length) ||
        (head_.has_content_length && head_.content_length != length)) {
      stop_at(Stop::kMalformed, line_start_, "bad Content-Length");
      return false;
    }
    head_.has_content_length = true;
    head_.content_length = length;
  } else if (iequals(name, "upgrade")) {
    head_.upgrade = true;
  }
  return true;
}

void Parser::end_head() {
  MessageHead& h = head_;
  bool has_te = !trim(h.transfer_encoding).empty();
  Framing framing = Framing::kNone;
  if (h.kind == Role::kRequest) {
    if (has_te) {
      if (!ends_chunked(h.transfer_encoding)) {
        stop_at(Stop::kMalformed, h.offset, "request Transfer-Encoding does not end in chunked");
        return;
      }
      framing = Framing::kChunked;
    } else if (h.content_length > 0) {
      framing = Framing::kLength;
    }
    // After CONNECT or an Upgrade request the client may switch protocols:
    // what follows is then expected not to be HTTP.
    if (h.method == "CONNECT") {
      if_not_http_ = Stop::kTunnel;
    } else if (h.upgrade) {
      if_not_http_ = Stop::kUpgrade;
    }
  } else if (h.status < 200) {
    if (h.status == 101) after_message_ = Stop::kUpgrade;  // 1xx: never a body
  } else {
    h.method = handler_.answered_method();
    bool tunnel = h.method == "CONNECT" && h.status < 300;
    if (tunnel) after_message_ = Stop::kTunnel;
    if (tunnel || h.method == "HEAD" || h.status == 204 || h.status == 304) {
      framing = Framing::kNone;
    } else if (has_te) {
      framing = ends_chunked(h.transfer_encoding) ? Framing::kChunked : Framing::kUntilClose;
    } else if (h.has_content_length) {
      framing = h.content_length > 0 ? Framing::kLength : Framing::kNone;
    } else {
      framing = Framing::kUntilClose;
    }
  }
  h.framing = framing;
  ++messages_;
  handler_.on_head(h);
  switch (framing) {
    case Framing::kNone:
      end_message(End::kComplete);
      break;
    case Framing::kLength:
      remaining_ = h.content_length;
      state_ = State::kLengthBody;
      break;
    case Framing::kChunked:
      chunked_ = ChunkedDecoder(limits_.max_line, limits_.max_fields);
      state_ = State::kChunkedBody;
      break;
    case Framing::kUntilClose:
      state_ = State::kCloseBody;
      break;
  }
}

void Parser::end_message(End end) {
  handler_.on_end(end);
  uint64_t at = head_.body_offset;
  state_ = State::kStartLine;
  line_.clear();
  last_field_ = nullptr;
  if (after_message_ != Stop::kNone) {
    Stop why = after_message_;
    after_message_ = Stop::kNone;
    stop_at(why, at, why == Stop::kUpgrade ? "101 Switching Protocols" : "CONNECT tunnel");
  }
}

size_t Parser::feed_body(ByteView in) {
  switch (state_) {
    case State::kLengthBody: {
      size_t n = in.size() < remaining_ ? in.size() : static_cast<size_t>(remaining_);
      handler_.on_body(in.first(n));
      remaining_ -= n;
      if (remaining_ == 0) end_message(End::kComplete);
      return n;
    }
    case State::kChunkedBody: {
      ChunkedDecoder::Step step = chunked_.step(in);
      if (!step.data.empty()) handler_.on_body(step.data);
      if (chunked_.done()) {
        end_message(End::kComplete);
      } else if (chunked_.failed()) {
        end_message(End::kMalformed);
        // The framing broke, typically on a capture gap's zeros: look for the
        // next response. (Whether the offending line held a zero depends on
        // where the stream was cut, so the decision must not look at it.)
        if (state_ == State::kStartLine && can_resync()) {
          begin_resync();
          // If no response follows, the stream still ends as malformed here.
          resync_from_ = pos_ + step.consumed - chunked_.line_bytes();
          resync_detail_ = chunked_.error();
          // A line rejected as too long before its end arrived: the search
          // starts after its end, as it does when the line came whole.
          resync_skip_line_ = !chunked_.line_complete();
          return step.consumed;
        }
        // At the start of the offending line, however the stream was cut.
        stop_at(Stop::kMalformed, pos_ + step.consumed - chunked_.line_bytes(), chunked_.error());
      }
      return step.consumed;
    }
    case State::kCloseBody:
      handler_.on_body(in);
      return in.size();
    default:
      return in.size();
  }
}

void Parser::begin_resync() {
  ++resyncs_;
  line_.clear();
  resync_match_ = 0;
  resync_prev_ = 0;
  resync_skip_line_ = false;
  resync_detail_ = nullptr;
  state_ = State::kResync;
}

// Skips to the next "HTTP/1." that follows a line end or a zero byte; the
// start line is then read as usual from its first byte.
size_t Parser::feed_resync(ByteView in) {
  constexpr std::string_view kPattern = "HTTP/1.";
  for (size_t i = 0; i < in.size(); ++i) {
    uint8_t c = in[i];
    if (resync_skip_line_) {
      resync_skip_line_ = c != '\n';
      resync_prev_ = c;
      continue;
    }
    if (resync_match_ > 0 && c == static_cast<uint8_t>(kPattern[resync_match_])) {
      if (++resync_match_ == kPattern.size()) {
        line_.clear();
        line_start_ = pos_ + i + 1 - kPattern.size();
        line_.take(ByteView(kPattern));
        resync_detail_ = nullptr;
        state_ = State::kStartLine;
        return i + 1;
      }
    } else {
      resync_match_ = c == 'H' && (resync_prev_ == '\n' || resync_prev_ == 0) ? 1 : 0;
    }
    resync_prev_ = c;
  }
  return in.size();
}

}  // namespace tcpflow::scanners::http
