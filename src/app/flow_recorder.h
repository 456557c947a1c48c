// The application's FlowHandler: gives each direction its sink when its
// first byte arrives (a flow file, nothing with -FX, or the console with
// -c/-C) and, when the direction closes, closes the sink and hands the
// flow's facts to the closed-flow stage (app/closed_flows).
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "app/closed_flows.h"
#include "app/flow_hooks.h"
#include "flow/flow_handler.h"
#include "app/connection_filter.h"
#include "output/console_sink.h"
#include "output/file_namer.h"
#include "output/file_writer.h"
#include "output/filename_template.h"
#include "output/write_buffers.h"
#include "util/stats.h"

namespace tcpflow::app {

class ProcessAttribution;
class RunFeedback;

// Where flow files go.
struct FlowFiles {
  output::FileNamer& namer;
  output::FileWriter& writer;
  output::WriteBuffers& buffers;
  FlowHooks& hooks;          // told when a file opens
  bool store = true;         // -FX clears: names and report entries only
  bool write_index = false;  // -I
  RunFeedback* feedback = nullptr;  // told before a file is created (reruns count replacements)
};

class FlowRecorder : public flow::FlowHandler {
 public:
  FlowRecorder(const FlowFiles& files, ClosedFlows& closed, Stats& stats);
  // Console (-c/-C): `label` renders the per-chunk flow name.
  FlowRecorder(output::ConsoleWriter& console, output::FilenameTemplate label,
               ClosedFlows& closed, Stats& stats);

  // --shard, --rule: directions of connections not kept are still named
  // (the name counters stay those of a single run) but nothing is written
  // or printed for them; they close as usual, with an empty path.
  void keep_only(const ConnectionFilter& filter) { filter_ = filter; }
  // --processes: %U and %P in the template name the process of the
  // connection's end on this host. `attribution` must outlive this.
  void name_processes_with(ProcessAttribution* attribution) { attribution_ = attribution; }

  std::unique_ptr<reassembly::StreamSink> open_stream(flow::FlowInfo& info) override;
  // A direction whose bytes are not kept (--proxy-record): it takes its flow
  // id, as a stored one would, and gets a report entry without a file.
  std::unique_ptr<reassembly::StreamSink> open_unstored(flow::FlowInfo& info);
  void close_stream(flow::FlowInfo& info, std::unique_ptr<reassembly::StreamSink> sink) override;
  void connection_closed(const flow::ConnectionRecord& record) override;

 private:
  // For %U and %P; null when unknown or not asked for.
  const flow::ProcessInfo* local_process(const flow::FlowInfo& info);

  std::optional<FlowFiles> files_;
  output::ConsoleWriter* console_ = nullptr;
  std::optional<output::FilenameTemplate> console_label_;
  ClosedFlows& closed_;
  Stats& stats_;
  ConnectionFilter filter_;
  ProcessAttribution* attribution_ = nullptr;
};

}  // namespace tcpflow::app
