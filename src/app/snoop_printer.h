// --snoop: one line per TCP packet of a recorded connection, tcpsnoop's
// columns (UID PID LADDR LPORT DR RADDR RPORT SIZE CMD, aligned), or with
// -J one JSON object per packet. LADDR is the local end: with --processes
// the sender when it is a socket on this host, else the receiver when it
// is; otherwise (and on capture files) the connection's client. DR is "->"
// for a packet it sent, "<-" for one it received. Unknown UID, PID and CMD
// print "-" (null in JSON). SIZE is the packet's TCP payload in bytes.
#pragma once
#include <cstdio>

#include "app/connection_filter.h"
#include "decode/packet.h"
#include "flow/flow_info.h"
#include "util/timestamp.h"

namespace tcpflow::app {

class ProcessAttribution;

class SnoopPrinter {
 public:
  // `filter` and `attribution` (null without --processes) must outlive the
  // printer; `with_time`: --snoop-time.
  SnoopPrinter(std::FILE* out, bool with_time, bool json, const ConnectionFilter& filter,
               ProcessAttribution* attribution);

  // One packet of `direction`'s connection, sent by direction.src.
  void packet(const flow::FlowInfo& direction, const decode::TcpSegment& segment, Timestamp ts);
  // A write to the output failed (said once on stderr).
  bool failed() const { return failed_; }

 private:
  void header();
  void emit(const char* text, int length);

  std::FILE* out_;
  const bool with_time_;
  const bool json_;
  const ConnectionFilter& filter_;
  ProcessAttribution* attribution_;
  bool header_written_ = false;
  bool failed_ = false;
};

}  // namespace tcpflow::app
