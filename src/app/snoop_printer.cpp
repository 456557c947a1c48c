#include "app/snoop_printer.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "app/process_attribution.h"
#include "report/flow_format.h"
#include "report/text_escape.h"

namespace tcpflow::app {

namespace {

// tcpsnoop's widths; a longer value (an IPv6 address) widens its line only.
constexpr char kHeaderFormat[] = "%5s %6s %-15s %5s %2s %-15s %5s %6s %s\n";
constexpr char kLineFormat[] = "%5s %6s %-15s %5u %2s %-15s %5u %6u %s\n";
constexpr char kTimeHeader[] = "%-27s ";

}  // namespace

SnoopPrinter::SnoopPrinter(std::FILE* out, bool with_time, bool json,
                           const ConnectionFilter& filter, ProcessAttribution* attribution)
    : out_(out), with_time_(with_time), json_(json), filter_(filter), attribution_(attribution) {}

void SnoopPrinter::emit(const char* text, int length) {
  if (length <= 0 || failed_) return;
  if (std::fwrite(text, 1, static_cast<size_t>(length), out_) != static_cast<size_t>(length)) {
    failed_ = true;
    std::fprintf(stderr, "tcpflow: --snoop: cannot write to stdout: %s\n", std::strerror(errno));
  }
}

void SnoopPrinter::header() {
  header_written_ = true;
  if (json_) return;
  char line[160];
  int n = 0;
  if (with_time_) n = std::snprintf(line, sizeof line, kTimeHeader, "TIME");
  n += std::snprintf(line + n, sizeof line - static_cast<size_t>(n), kHeaderFormat, "UID", "PID",
                     "LADDR", "LPORT", "DR", "RADDR", "RPORT", "SIZE", "CMD");
  emit(line, n);
}

void SnoopPrinter::packet(const flow::FlowInfo& direction, const decode::TcpSegment& segment,
                          Timestamp ts) {
  if (!filter_.keeps(direction)) return;
  if (!header_written_) header();
  // Without a local end, the client is local; a direction whose roles are
  // unknown counts as sent by it.
  bool sent = direction.is_client || !direction.direction_known;
  if (attribution_ && attribution_->is_local(direction.src)) {
    sent = true;
  } else if (attribution_ && attribution_->is_local(direction.dst)) {
    sent = false;
  }
  const std::string laddr = report::ip_to_string(sent ? direction.src : direction.dst);
  const std::string raddr = report::ip_to_string(sent ? direction.dst : direction.src);
  const unsigned lport = sent ? direction.src_port : direction.dst_port;
  const unsigned rport = sent ? direction.dst_port : direction.src_port;
  const flow::ProcessInfo* process =
      attribution_ ? attribution_->find(direction.connection_id, sent ? direction.src
                                                                        : direction.dst,
                                        static_cast<uint16_t>(lport))
                   : nullptr;
  const std::string uid = process ? std::to_string(process->uid) : std::string();
  const std::string pid = process ? std::to_string(process->pid) : std::string();
  std::string cmd;
  if (json_) {
    if (process) {
      report::append_json_string(cmd, report::escape_bytes(process->cmd));
    } else {
      cmd = "null";
    }
  } else {
    cmd = process ? report::escape_bytes(process->cmd) : "-";
  }
  char line[512];
  int n = 0;
  if (json_) {
    n = std::snprintf(line, sizeof line,
                      "{\"time\":\"%s\",\"uid\":%s,\"pid\":%s,\"laddr\":\"%s\",\"lport\":%u,"
                      "\"dir\":\"%s\",\"raddr\":\"%s\",\"rport\":%u,\"size\":%u,\"cmd\":%s}\n",
                      report::iso8601_utc(ts).c_str(), process ? uid.c_str() : "null",
                      process ? pid.c_str() : "null", laddr.c_str(), lport, sent ? "out" : "in",
                      raddr.c_str(), rport, segment.payload_length, cmd.c_str());
  } else {
    if (with_time_) {
      n = std::snprintf(line, sizeof line, kTimeHeader, report::iso8601_utc(ts).c_str());
    }
    n += std::snprintf(line + n, sizeof line - static_cast<size_t>(n), kLineFormat,
                       process ? uid.c_str() : "-", process ? pid.c_str() : "-", laddr.c_str(),
                       lport, sent ? "->" : "<-", raddr.c_str(), rport, segment.payload_length,
                       cmd.c_str());
  }
  emit(line, n < static_cast<int>(sizeof line) ? n : static_cast<int>(sizeof line) - 1);
}

}  // namespace tcpflow::app
