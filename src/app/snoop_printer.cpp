#include "app/snoop_printer.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "report/flow_format.h"

namespace tcpflow::app {

namespace {

// tcpsnoop's widths; a longer value (an IPv6 address) widens its line only.
constexpr char kHeaderFormat[] = "%5s %6s %-15s %5s %2s %-15s %5s %6s %s\n";
constexpr char kLineFormat[] = "%5s %6s %-15s %5u %2s %-15s %5u %6u %s\n";
constexpr char kTimeHeader[] = "%-27s ";

}  // namespace

SnoopPrinter::SnoopPrinter(std::FILE* out, bool with_time, bool json,
                           const ConnectionFilter& filter)
    : out_(out), with_time_(with_time), json_(json), filter_(filter) {}

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
  // The client is local; a direction whose roles are unknown counts as sent by it.
  const bool sent = direction.is_client || !direction.direction_known;
  const std::string laddr = report::ip_to_string(sent ? direction.src : direction.dst);
  const std::string raddr = report::ip_to_string(sent ? direction.dst : direction.src);
  const unsigned lport = sent ? direction.src_port : direction.dst_port;
  const unsigned rport = sent ? direction.dst_port : direction.src_port;
  char line[320];
  int n = 0;
  if (json_) {
    n = std::snprintf(line, sizeof line,
                      "{\"time\":\"%s\",\"uid\":null,\"pid\":null,\"laddr\":\"%s\",\"lport\":%u,"
                      "\"dir\":\"%s\",\"raddr\":\"%s\",\"rport\":%u,\"size\":%u,\"cmd\":null}\n",
                      report::iso8601_utc(ts).c_str(), laddr.c_str(), lport,
                      sent ? "out" : "in", raddr.c_str(), rport, segment.payload_length);
  } else {
    if (with_time_) {
      n = std::snprintf(line, sizeof line, kTimeHeader, report::iso8601_utc(ts).c_str());
    }
    n += std::snprintf(line + n, sizeof line - static_cast<size_t>(n), kLineFormat, "-", "-",
                       laddr.c_str(), lport, sent ? "->" : "<-", raddr.c_str(), rport,
                       segment.payload_length, "-");
  }
  emit(line, n < static_cast<int>(sizeof line) ? n : static_cast<int>(sizeof line) - 1);
}

}  // namespace tcpflow::app
