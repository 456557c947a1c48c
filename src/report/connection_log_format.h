// How one connection end is written to the connection log (--connlog):
// a tcpspy-like text line, a JSON object with tapconn's keys plus ours, or a
// user's format string with %-codes (as ipprotd's -C). The format is parsed
// once at start-up; rendering is pure.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "decode/packet.h"
#include "flow/process_info.h"
#include "util/timestamp.h"

namespace tcpflow::report {

// One end of a closed (or, at exit, still open) connection, seen from that
// end: "local" is the end on this host (live) or the client (capture files).
struct ConnectionEnd {
  Timestamp start;
  Timestamp end;
  decode::IpAddress local;
  decode::IpAddress remote;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  bool outbound = true;  // this end connected (out) or accepted (in)
  uint64_t bytes_out = 0;  // sent by the local end
  uint64_t bytes_in = 0;
  uint64_t packets_out = 0;
  uint64_t packets_in = 0;
  std::string close_reason;  // "fin", "rst", "timeout", "end_of_input", ...
  std::optional<flow::ProcessInfo> process;
  std::string hostname;  // this host's name
};

class ConnectionLogFormat {
 public:
  enum class Style : uint8_t { kText, kJson, kCustom };

  // "text", "json", or a string with %-codes; throws UsageError naming an
  // unknown code and its position.
  static ConnectionLogFormat parse(const std::string& spec);

  // The record, ending in a newline (text and JSON; a custom format ends
  // where the user's string ends, %n gives newlines).
  std::string render(const ConnectionEnd& end) const;
  Style style() const { return style_; }

  // The codes a custom format knows, with what each gives (for -h and the man page).
  static const char* codes_help();

 private:
  std::string render_text(const ConnectionEnd& end) const;
  std::string render_json(const ConnectionEnd& end) const;
  std::string render_custom(const ConnectionEnd& end) const;

  Style style_ = Style::kText;
  std::string custom_;
};

// Seconds between two times as a decimal with microseconds ("1.250000").
std::string duration_seconds(const Timestamp& from, const Timestamp& to);

}  // namespace tcpflow::report
