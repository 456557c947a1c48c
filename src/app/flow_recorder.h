// The application's FlowHandler: gives each direction its sink when its
// first byte arrives (a flow file, or the console with -c/-C) and, when the
// direction closes, finishes the file and hands the flow's facts on.
#pragma once
#include <functional>
#include <memory>
#include <optional>

#include "flow/flow_handler.h"
#include "output/console_sink.h"
#include "output/fd_cache.h"
#include "output/file_namer.h"
#include "output/filename_template.h"
#include "util/stats.h"

namespace tcpflow::app {

class FlowRecorder : public flow::FlowHandler {
 public:
  // Called once per closed direction with its output path ("" for console).
  using ClosedFlowCallback = std::function<void(flow::FlowInfo&, const std::string& path)>;
  using ClosedConnectionCallback = std::function<void(uint64_t connection_id)>;

  // Flow files.
  FlowRecorder(output::FileNamer& namer, output::FdCache& fd_cache, bool store_files,
               bool write_index, Stats& stats);
  // Console (-c/-C): `label` renders the per-chunk flow name.
  FlowRecorder(output::ConsoleWriter& console, output::FilenameTemplate label, Stats& stats);

  void on_closed_flow(ClosedFlowCallback callback) { closed_callback_ = std::move(callback); }
  // Called when a direction gets its flow file (not for -FX or the console).
  void on_opened_file(std::function<void(const std::string& path)> callback) {
    opened_callback_ = std::move(callback);
  }
  void on_closed_connection(ClosedConnectionCallback callback) {
    closed_connection_callback_ = std::move(callback);
  }
  void connection_closed(uint64_t connection_id) override {
    if (closed_connection_callback_) closed_connection_callback_(connection_id);
  }

  std::unique_ptr<reassembly::StreamSink> open_stream(flow::FlowInfo& info) override;
  void close_stream(flow::FlowInfo& info,
                    std::unique_ptr<reassembly::StreamSink> sink) override;

 private:
  output::FileNamer* namer_ = nullptr;
  output::FdCache* fd_cache_ = nullptr;
  output::ConsoleWriter* console_ = nullptr;
  std::optional<output::FilenameTemplate> console_label_;
  bool store_files_ = true;
  bool write_index_ = false;
  Stats& stats_;
  ClosedFlowCallback closed_callback_;
  std::function<void(const std::string& path)> opened_callback_;
  ClosedConnectionCallback closed_connection_callback_;
};

}  // namespace tcpflow::app
