// The application's FlowHandler: gives each direction its flow file when its
// first byte arrives and, when the direction closes, finishes the file and
// hands the flow's facts to the report writers.
#pragma once
#include <functional>
#include <memory>

#include "flow/flow_handler.h"
#include "output/fd_cache.h"
#include "output/file_namer.h"
#include "util/stats.h"

namespace tcpflow::app {

class FlowRecorder : public flow::FlowHandler {
 public:
  using ClosedFlowCallback = std::function<void(const flow::FlowInfo&)>;

  FlowRecorder(output::FileNamer& namer, output::FdCache& fd_cache, bool store_files,
               bool write_index, Stats& stats);

  // Called once per closed flow file, after the file is complete on disk.
  void on_closed_flow(ClosedFlowCallback callback) { closed_callback_ = std::move(callback); }

  std::unique_ptr<reassembly::StreamSink> open_stream(flow::FlowInfo& info) override;
  void close_stream(flow::FlowInfo& info,
                    std::unique_ptr<reassembly::StreamSink> sink) override;

  uint64_t files_written() const { return files_written_; }

 private:
  output::FileNamer& namer_;
  output::FdCache& fd_cache_;
  bool store_files_;
  bool write_index_;
  Stats& stats_;
  ClosedFlowCallback closed_callback_;
  uint64_t files_written_ = 0;
};

}  // namespace tcpflow::app
