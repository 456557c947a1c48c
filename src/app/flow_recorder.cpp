#include "app/flow_recorder.h"

#include "app/process_attribution.h"
#include "app/run_feedback.h"
#include "flow/reassembly_counters.h"
#include "output/discard_sink.h"
#include "output/flow_file_sink.h"

namespace tcpflow::app {

namespace {

// --shard: a direction of a connection another shard keeps. Measures its
// size like DiscardSink; the type tells close_stream() what it is.
class OtherShardSink : public output::DiscardSink {};

// The flow table counted these from the direction's reassembly before
// closing it; in a shard they belong to the shard that keeps the connection
// (the merge adds them up), and here they would differ anyway: nothing is
// written, so overlaps cannot be compared with the stored bytes.
void uncount_reassembly(Stats& stats, const reassembly::ReassemblyStats& rs) {
  flow::for_each_reassembly_counter(
      rs, [&stats](Counter c, uint64_t amount) { stats.remove(c, amount); });
}

}  // namespace

FlowRecorder::FlowRecorder(const FlowFiles& files, ClosedFlows& closed, Stats& stats)
    : files_(files), closed_(closed), stats_(stats) {}

FlowRecorder::FlowRecorder(output::ConsoleWriter& console, output::FilenameTemplate label,
                           ClosedFlows& closed, Stats& stats)
    : console_(&console), console_label_(std::move(label)), closed_(closed), stats_(stats) {}

std::unique_ptr<reassembly::StreamSink> FlowRecorder::open_stream(flow::FlowInfo& info) {
  bool kept = filter_.keeps(info);
  if (console_) {
    if (!kept) return std::make_unique<OtherShardSink>();
    return std::make_unique<output::ConsoleSink>(*console_, info, console_label_->render(info));
  }
  // Named even when not kept: the counts are those of one run.
  std::string path = files_->namer.assign(info, local_process(info));
  if (!kept) return std::make_unique<OtherShardSink>();
  if (!files_->store) return std::make_unique<output::DiscardSink>();
  if (files_->feedback) files_->feedback->file_opening(path);
  files_->hooks.file_opened(path);
  return std::make_unique<output::FlowFileSink>(files_->writer, files_->buffers, std::move(path),
                                                files_->write_index, stats_);
}

const flow::ProcessInfo* FlowRecorder::local_process(const flow::FlowInfo& info) {
  if (attribution_ == nullptr || !files_->namer.names_processes()) return nullptr;
  return attribution_->process_of_connection(info);
}

std::unique_ptr<reassembly::StreamSink> FlowRecorder::open_unstored(flow::FlowInfo& info) {
  if (files_) {
    files_->namer.assign(info, local_process(info));
    info.filename.clear();
  }
  return std::make_unique<output::DiscardSink>();
}

void FlowRecorder::close_stream(flow::FlowInfo& info,
                                std::unique_ptr<reassembly::StreamSink> sink) {
  if (dynamic_cast<OtherShardSink*>(sink.get())) uncount_reassembly(stats_, info.reassembly);
  reassembly::StreamEnd end = sink->close(info.last_ts);
  sink.reset();
  info.file_size = end.size;
  if (!end.path.empty()) {
    info.write_failed = end.failed;
    info.write_error = std::move(end.error);
    stats_.add(Counter::kFlowFilesWritten);
  }
  closed_.direction_closed(info, std::move(end.path), end.pending_job);
}

void FlowRecorder::connection_closed(const flow::ConnectionRecord& record) {
  closed_.connection_closed(record);
}

}  // namespace tcpflow::app
