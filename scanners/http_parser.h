// A streaming HTTP/1.0 and 1.1 message parser for one direction of a
// connection: requests or responses, many per connection (keep-alive,
// pipelining), bodies framed by Content-Length, chunked coding or the end of
// the stream. It is fed arbitrary pieces of the stream and produces the same
// events however the stream is cut. Bodies are passed through as views,
// de-chunked but otherwise as sent; heads are bounded (line length, field
// count), so memory stays bounded whatever the input.
//
// It writes nothing: the Handler decides what to do with heads and bodies
// (the scanner writes body files; the peer reader only learns methods).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "scanners/http_chunked.h"
#include "scanners/http_line.h"
#include "util/byte_view.h"

namespace tcpflow::scanners::http {

enum class Role : uint8_t { kUnknown, kRequest, kResponse };
enum class Framing : uint8_t { kNone, kLength, kChunked, kUntilClose };

// How the parser stopped reading the stream (kNone: it is still reading).
enum class Stop : uint8_t {
  kNone,
  kEndOfStream,    // finish() after whole messages (or a body that ends at close)
  kTruncatedHead,  // the stream ended inside a start line or header block
  kNotHttp,        // the first bytes are not an HTTP start line: ignored
  kMalformed,      // a broken head or chunk framing, or a limit exceeded
  kUpgrade,        // 101 Switching Protocols, or an Upgrade request followed by non-HTTP
  kTunnel,         // a 2xx answer to CONNECT, or a CONNECT followed by non-HTTP
};
const char* stop_name(Stop stop);

struct Limits {
  size_t max_line = 64 * 1024;  // bytes in one start, header, chunk-size or trailer line
  size_t max_fields = 256;      // header fields in one head; trailer fields in one body
};

struct MessageHead {
  Role kind = Role::kUnknown;
  std::string method;          // request: "GET"; response: the request's method if known
  std::string target;          // request target (URL) as sent
  int status = 0;              // response status code
  int version_minor = 1;       // HTTP/1.x
  std::string host;
  std::string content_type;
  std::string content_encoding;   // as sent, comma-joined when repeated
  std::string transfer_encoding;  // as sent, comma-joined when repeated
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool upgrade = false;        // an Upgrade field was present
  size_t fields = 0;           // header fields in the head
  uint64_t offset = 0;         // stream offset of the start line's first byte
  uint64_t body_offset = 0;    // stream offset just past the blank line
  Framing framing = Framing::kNone;
};

enum class End : uint8_t {
  kComplete,   // the body ended where its framing says (or at close for kUntilClose)
  kTruncated,  // the stream ended before the body did
  kMalformed,  // the chunk framing broke: parsing stops after this message
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Response streams: the method of the request answered by the next final
  // (non-1xx) response; "" when unknown (treated as GET).
  virtual std::string answered_method() { return {}; }
  virtual void on_head(const MessageHead& head) = 0;
  virtual void on_body(ByteView data) = 0;  // de-chunked body bytes, in order
  virtual void on_end(End end) = 0;          // after every on_head
};

class Parser {
 public:
  // role kUnknown: the first start line decides (a response starts "HTTP/").
  Parser(Role role, Handler& handler, Limits limits = {});

  void feed(ByteView data);
  void finish();  // the end of the stream

  bool stopped() const { return stop_ != Stop::kNone; }
  Stop stop() const { return stop_; }
  uint64_t stop_offset() const { return stop_offset_; }
  const char* stop_detail() const { return stop_detail_; }
  Role role() const { return role_; }
  uint64_t messages() const { return messages_; }  // heads delivered
  // Times a response stream was picked up again at the next "HTTP/1." after
  // zero bytes (a capture gap, filled with zeros in the flow file) broke it.
  uint64_t resyncs() const { return resyncs_; }
  uint64_t offset() const { return pos_; }

 private:
  enum class State : uint8_t {
    kStartLine, kHeaders, kLengthBody, kChunkedBody, kCloseBody, kResync, kStopped
  };

  size_t feed_start_line(ByteView in);
  size_t feed_header_line(ByteView in);
  size_t feed_body(ByteView in);
  size_t feed_resync(ByteView in);
  bool can_resync() const { return role_ == Role::kResponse && messages_ > 0; }
  void begin_resync();
  bool plausible_start(std::string_view partial) const;
  bool parse_start_line(std::string_view line);
  bool add_field(std::string_view line);
  void end_head();
  void end_message(End end);
  void stop_at(Stop stop, uint64_t offset, const char* detail);
  void reject_start(const char* detail);

  Role role_;
  Handler& handler_;
  Limits limits_;
  State state_ = State::kStartLine;
  LineBuffer line_;
  ChunkedDecoder chunked_;
  MessageHead head_;
  std::string* last_field_ = nullptr;  // for obsolete line folding
  uint64_t pos_ = 0;                   // stream offset of the next byte
  uint64_t line_start_ = 0;
  uint64_t remaining_ = 0;             // kLengthBody
  uint64_t messages_ = 0;
  uint64_t resyncs_ = 0;
  size_t resync_match_ = 0;            // bytes of "HTTP/1." matched
  uint8_t resync_prev_ = 0;            // the byte before the current one
  bool resync_skip_line_ = false;      // first skip the rest of a failed chunk line
  uint64_t resync_from_ = 0;           // where a broken chunked body failed
  const char* resync_detail_ = nullptr;  // why, while resyncing after it
  Stop after_message_ = Stop::kNone;   // stop once this message ends (101, CONNECT 2xx)
  Stop if_not_http_ = Stop::kNone;     // what a non-HTTP start means after Upgrade/CONNECT
  Stop stop_ = Stop::kNone;
  uint64_t stop_offset_ = 0;
  const char* stop_detail_ = "";
};

}  // namespace tcpflow::scanners::http
