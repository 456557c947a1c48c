// What the flow table calls when a direction needs somewhere to put its bytes
// and when it is done. Implemented by the application, which wires in the
// flow files, the console, scanners and the report; the flow layer stays
// ignorant of all of them.
#pragma once
#include <memory>

#include "flow/connection_record.h"
#include "flow/flow_info.h"
#include "reassembly/stream_sink.h"

namespace tcpflow::flow {

class FlowHandler {
 public:
  virtual ~FlowHandler() = default;

  // A direction is about to store its first byte. Fills in naming facts in
  // `info` (filename, flow_id, connection_count) and returns the sink, or
  // nullptr to discard this direction's bytes (for example -FX).
  virtual std::unique_ptr<reassembly::StreamSink> open_stream(FlowInfo& info) = 0;

  // The direction's stream is complete: every held byte was written. The
  // handler closes the sink, runs scanners and records the flow. Called only
  // for directions whose open_stream() was called.
  virtual void close_stream(FlowInfo& info, std::unique_ptr<reassembly::StreamSink> sink) = 0;

  // The connection left the table (both directions went through
  // close_stream()): its record, given for every connection, data or not.
  virtual void connection_closed(const ConnectionRecord& record) { (void)record; }
};

}  // namespace tcpflow::flow
