#include "app/run_feedback.h"

#include "app/live_notices.h"

namespace tcpflow::app {
namespace {

double seconds_between(ProgressLine::Clock::time_point from, ProgressLine::Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

RunFeedback::RunFeedback(const Config& config, const std::string& outdir)
    : quiet_(config.quiet),
      progress_(stderr, progress_wanted(config.console != ConsoleMode::kNone || config.attrib.snoop)) {
  if (outdir.empty() || !config.store_flows) return;
  earlier_run_ = std::make_unique<EarlierRun>(outdir);
  std::string notice = earlier_run_->start_notice();
  if (!notice.empty() && !quiet_) std::fprintf(stderr, "tcpflow: %s\n", notice.c_str());
}

void RunFeedback::live_started(capture::LiveSource& source) {
  live_ = &source;
  was_live_ = true;
  if (quiet_) return;
  std::string line = listening_text(source.interface_name(), source.link_type_name(),
                                    source.link_type_description(), source.snaplen());
  std::fprintf(stderr, "tcpflow: %s\n", line.c_str());
}

void RunFeedback::live_stopped() {
  if (!live_) return;
  if (std::optional<capture::CaptureStats> figures = live_->stats()) live_stats_ = figures;
  live_ = nullptr;
}

void RunFeedback::file_started(const capture::PacketSource& source, size_t total_files) {
  file_ = &source;
  files_total_ = total_files;
}

void RunFeedback::file_closing() {
  if (!file_) return;
  last_position_ = file_->position();
  file_ = nullptr;
}

void RunFeedback::file_finished(const Stats& stats) {
  ProgressLine::Clock::time_point now = ProgressLine::Clock::now();
  // A single file's last line shows where it ended (if the file took long
  // enough to show a line at all).
  if (files_total_ <= 1 && (progress_.showing() || progress_.due(now))) draw(stats, now);
  file_closing();
  ++files_done_;
  // The next file's clock starts now: opening it (reading its header from a
  // slow pipe) is part of reading it.
  file_started_ = now;
  if (files_total_ > 1) draw(stats, now);
}

void RunFeedback::tick(const Stats& stats) {
  ProgressLine::Clock::time_point now = ProgressLine::Clock::now();
  if (progress_.due(now)) draw(stats, now);
}

void RunFeedback::draw(const Stats& stats, ProgressLine::Clock::time_point now) {
  if (!progress_.enabled()) return;
  std::string text;
  if (live_) {
    if (std::optional<capture::CaptureStats> figures = live_->stats()) live_stats_ = figures;
    uint64_t dropped = live_stats_ ? live_stats_->dropped_by_kernel : 0;
    text = live_progress_text(stats.get(Counter::kPacketsRead), stats.get(Counter::kFlowsCreated),
                              dropped);
  } else if (files_total_ > 1) {
    text = files_progress_text(files_done_, files_total_, stats.get(Counter::kBytesRead),
                               stats.get(Counter::kFlowsCreated), seconds_between(started_, now));
  } else {
    capture::InputPosition position = file_ ? file_->position() : last_position_;
    text = file_progress_text(position.consumed, position.total,
                              seconds_between(file_started_, now));
  }
  progress_.show(text, now);
}

void RunFeedback::finish(report::RunSummary& summary) {
  progress_.finish();
  live_stopped();
  if (was_live_) {
    if (live_stats_) {
      add_capture_stats(summary, *live_stats_);
      if (!quiet_) std::fprintf(stderr, "tcpflow: %s\n", capture_stats_text(*live_stats_).c_str());
      if (std::optional<std::string> warning = kernel_drop_warning(*live_stats_)) {
        std::fprintf(stderr, "tcpflow: warning: %s\n", warning->c_str());
      }
    }
  }
  if (earlier_run_) {
    summary.values.emplace_back("earlier_report", earlier_run_->has_report() ? "1" : "0");
    summary.values.emplace_back("replaced_flow_files",
                                std::to_string(earlier_run_->replaced_files()));
    std::string notice = earlier_run_->end_notice();
    if (!notice.empty() && !quiet_) std::fprintf(stderr, "tcpflow: %s\n", notice.c_str());
  }
}

}  // namespace tcpflow::app
