// The application's FlowHandler: gives each direction its sink when its
// first byte arrives (a flow file, or the console with -c/-C) and, when the
// direction closes, finishes the file and hands the flow's facts on.
//
// With a background writer, a closed direction's file may still be on its
// way to disk; its facts (and any later connection-closed event) then wait
// here and are handed on, in close order, once the writer has finished it,
// so the report, scanners and hooks only ever see complete files.
#pragma once
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "flow/flow_handler.h"
#include "flow/shard.h"
#include "output/background_writer.h"
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

  // Flow files; `background` may be null (everything written on this thread).
  FlowRecorder(output::FileNamer& namer, output::FdCache& fd_cache,
               output::BackgroundWriter* background, bool store_files, bool write_index,
               Stats& stats);
  // Console (-c/-C): `label` renders the per-chunk flow name.
  FlowRecorder(output::ConsoleWriter& console, output::FilenameTemplate label, Stats& stats);

  // --shard: directions of other shards' connections are still named (the
  // name counters stay those of a single run) but nothing is written or
  // printed for them; they close as usual, with an empty path.
  void keep_only(const flow::ShardSpec& shard) { shard_ = shard; }

  void on_closed_flow(ClosedFlowCallback callback) { closed_callback_ = std::move(callback); }
  // Called when a direction gets its flow file (not for -FX or the console).
  void on_opened_file(std::function<void(const std::string& path)> callback) {
    opened_callback_ = std::move(callback);
  }
  void on_closed_connection(ClosedConnectionCallback callback) {
    closed_connection_callback_ = std::move(callback);
  }
  void connection_closed(uint64_t connection_id) override;

  // Hands on what the background writer has finished, without waiting.
  void deliver_finished();
  // Waits for every file handed to the background writer, then hands on
  // everything held: the files of every closed direction are complete.
  void drain();

  std::unique_ptr<reassembly::StreamSink> open_stream(flow::FlowInfo& info) override;
  void close_stream(flow::FlowInfo& info,
                    std::unique_ptr<reassembly::StreamSink> sink) override;

 private:
  output::FileNamer* namer_ = nullptr;
  // A closed direction (info set) or a closed connection, waiting for the
  // background writer to finish job `ticket` (and every one before it).
  struct Held {
    uint64_t ticket = 0;
    bool writer_made_file = false;  // errors in creating or writing it come with job `ticket`
    std::optional<flow::FlowInfo> info;
    std::string path;
    uint64_t connection_id = 0;
  };
  void hand_on(Held& held);

  output::FdCache* fd_cache_ = nullptr;
  output::BackgroundWriter* background_ = nullptr;
  std::deque<Held> held_;
  output::ConsoleWriter* console_ = nullptr;
  std::optional<output::FilenameTemplate> console_label_;
  bool store_files_ = true;
  flow::ShardSpec shard_;
  bool write_index_ = false;
  Stats& stats_;
  ClosedFlowCallback closed_callback_;
  std::function<void(const std::string& path)> opened_callback_;
  ClosedConnectionCallback closed_connection_callback_;
};

}  // namespace tcpflow::app
