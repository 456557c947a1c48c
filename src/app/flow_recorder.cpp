#include "app/flow_recorder.h"

#include <cstdio>

#include "output/flow_file_sink.h"

namespace tcpflow::app {

namespace {

// For -FX: the flow is named and recorded in the report, but nothing is stored.
class DiscardSink : public reassembly::StreamSink {
 public:
  void write(uint64_t offset, ByteView data, Timestamp) override {
    if (offset + data.size() > size_) size_ = offset + data.size();
  }
  bool read_back(uint64_t, uint8_t*, size_t) override { return false; }
  bool shift(uint64_t delta) override {
    size_ += delta;
    return true;
  }
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
};

// --shard: a direction of a connection another shard keeps. Counts its size
// like DiscardSink; the type tells close_stream() not to hand on its facts
// as a file of this shard.
class OtherShardSink : public DiscardSink {};

// The flow table counted these from the direction's reassembly before
// closing it; in a shard they belong to the shard that keeps the connection
// (the merge adds them up), and here they would differ anyway: nothing is
// written, so overlaps cannot be compared with the stored bytes.
void uncount_reassembly(Stats& stats, const reassembly::ReassemblyStats& rs) {
  stats.remove(Counter::kDuplicateBytes, rs.duplicate_bytes);
  stats.remove(Counter::kOverlapConflicts, rs.conflict_count);
  stats.remove(Counter::kOverlapConflictBytes, rs.conflict_bytes);
  stats.remove(Counter::kTcpChecksumBadReplaced, rs.bad_checksum_replaced);
  stats.remove(Counter::kSegmentsBeforeStart, rs.before_start_segments);
  stats.remove(Counter::kBytesCapped, rs.capped_bytes);
  stats.remove(Counter::kOutOfOrderSpills, rs.spilled_blocks);
  stats.remove(Counter::kGaps, rs.gaps.size());
  for (const auto& gap : rs.gaps) stats.remove(Counter::kGapBytes, gap.length);
}

}  // namespace

FlowRecorder::FlowRecorder(output::FileNamer& namer, output::FdCache& fd_cache,
                           output::BackgroundWriter* background, bool store_files,
                           bool write_index, Stats& stats)
    : namer_(&namer),
      fd_cache_(&fd_cache),
      background_(background),
      store_files_(store_files),
      write_index_(write_index),
      stats_(stats) {}

FlowRecorder::FlowRecorder(output::ConsoleWriter& console, output::FilenameTemplate label,
                           Stats& stats)
    : console_(&console), console_label_(std::move(label)), stats_(stats) {}

std::unique_ptr<reassembly::StreamSink> FlowRecorder::open_stream(flow::FlowInfo& info) {
  bool kept = flow::shard_keeps(shard_, info);
  if (console_) {
    if (!kept) return std::make_unique<OtherShardSink>();
    return std::make_unique<output::ConsoleSink>(*console_, info, console_label_->render(info));
  }
  std::string path = namer_->assign(info);  // named even when not kept: counts as in one run
  if (!kept) return std::make_unique<OtherShardSink>();
  if (!store_files_) return std::make_unique<DiscardSink>();
  if (opened_callback_) opened_callback_(path);
  return std::make_unique<output::FlowFileSink>(*fd_cache_, background_, std::move(path),
                                                write_index_, stats_);
}

void FlowRecorder::close_stream(flow::FlowInfo& info,
                                std::unique_ptr<reassembly::StreamSink> sink) {
  std::string path;
  std::pair<uint64_t, uint64_t> tickets{0, 0};
  if (auto* file = dynamic_cast<output::FlowFileSink*>(sink.get())) {
    file->close(info.last_ts);
    tickets = file->background_tickets();
    info.file_size = file->size();
    info.write_failed = file->failed();
    info.write_error = file->error();
    path = file->path();
    stats_.add(Counter::kFlowFilesWritten);
  } else if (dynamic_cast<OtherShardSink*>(sink.get())) {
    uncount_reassembly(stats_, info.reassembly);
  } else if (auto* discard = dynamic_cast<DiscardSink*>(sink.get())) {
    info.file_size = discard->size();
  } else if (auto* console = dynamic_cast<output::ConsoleSink*>(sink.get())) {
    info.file_size = console->printed_end();
  }
  sink.reset();
  if (tickets.second == 0 && held_.empty()) {
    if (closed_callback_) closed_callback_(info, path);
    return;
  }
  Held held;
  held.ticket = tickets.second ? tickets.second : background_->submitted();
  held.writer_made_file = tickets.first != 0;
  held.info = std::move(info);  // the flow table drops it after this call
  held.path = std::move(path);
  held_.push_back(std::move(held));
  deliver_finished();
}

void FlowRecorder::connection_closed(uint64_t connection_id) {
  if (held_.empty()) {
    if (closed_connection_callback_) closed_connection_callback_(connection_id);
    return;
  }
  Held held;
  held.ticket = background_->submitted();
  held.connection_id = connection_id;
  held_.push_back(std::move(held));
  deliver_finished();
}

void FlowRecorder::hand_on(Held& held) {
  if (!held.info) {
    if (closed_connection_callback_) closed_connection_callback_(held.connection_id);
    return;
  }
  flow::FlowInfo& info = *held.info;
  if (held.writer_made_file) {
    if (std::optional<std::string> error = background_->take_error(held.ticket)) {
      stats_.add(Counter::kWriteErrors);
      info.write_failed = true;
      info.write_error = *error;
      std::fprintf(stderr, "tcpflow: %s: %s\n", held.path.c_str(), error->c_str());
    }
  }
  if (closed_callback_) closed_callback_(info, held.path);
}

void FlowRecorder::deliver_finished() {
  if (held_.empty()) return;
  uint64_t finished = background_->finished();
  while (!held_.empty() && held_.front().ticket <= finished) {
    Held held = std::move(held_.front());
    held_.pop_front();
    hand_on(held);
  }
}

void FlowRecorder::drain() {
  if (!background_) return;
  background_->wait_for(background_->submitted());
  deliver_finished();
}

}  // namespace tcpflow::app
