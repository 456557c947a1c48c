#include "app/flow_recorder.h"

#include "output/discard_sink.h"
#include "output/flow_file_sink.h"

namespace tcpflow::app {

FlowRecorder::FlowRecorder(const FlowFiles& files, ClosedFlows& closed, Stats& stats)
    : files_(files), closed_(closed), stats_(stats) {}

FlowRecorder::FlowRecorder(output::ConsoleWriter& console, output::FilenameTemplate label,
                           ClosedFlows& closed, Stats& stats)
    : console_(&console), console_label_(std::move(label)), closed_(closed), stats_(stats) {}

std::unique_ptr<reassembly::StreamSink> FlowRecorder::open_stream(flow::FlowInfo& info) {
  if (console_) {
    return std::make_unique<output::ConsoleSink>(*console_, info, console_label_->render(info));
  }
  std::string path = files_->namer.assign(info);
  if (!files_->store) return std::make_unique<output::DiscardSink>();
  files_->hooks.file_opened(path);
  return std::make_unique<output::FlowFileSink>(files_->writer, files_->buffers, std::move(path),
                                                files_->write_index, stats_);
}

void FlowRecorder::close_stream(flow::FlowInfo& info,
                                std::unique_ptr<reassembly::StreamSink> sink) {
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

void FlowRecorder::connection_closed(uint64_t connection_id) {
  closed_.connection_closed(connection_id);
}

}  // namespace tcpflow::app
