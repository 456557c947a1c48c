// What a run tells the person at the terminal while it goes, on stderr, and
// the matching facts in the report's summary (issue 23):
//   - a rerun into an output directory that holds an earlier run's
//     report.xml: one line at the start, the number of flow files that
//     replaced existing ones at the end;
//   - a live capture: tcpdump's "listening on" line, pcap_stats at the end,
//     a warning when the kernel dropped packets;
//   - progress once a second when stderr is a terminal: bytes of a file
//     with rate and time left, files done of several, or a live capture's
//     packets, flows and drops.
// The pipeline only reports events here; the wording lives in progress.h,
// live_notices.h and earlier_run.h.
#pragma once
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "app/config.h"
#include "app/earlier_run.h"
#include "app/progress.h"
#include "capture/live_source.h"
#include "capture/packet_source.h"
#include "report/run_summary.h"
#include "util/stats.h"

namespace tcpflow::app {

class RunFeedback {
 public:
  // Call once the output directory exists, before anything is written into
  // it (the report is created after this). `outdir` is where flow files go;
  // empty in console mode (nothing to replace then).
  RunFeedback(const Config& config, const std::string& outdir);

  // A flow file is about to be created at `path`.
  void file_opening(const std::string& path) {
    if (earlier_run_) earlier_run_->file_opening(path);
  }

  // A live capture is open: prints the listening line.
  void live_started(capture::LiveSource& source);
  // Before the live source is closed: takes its final statistics.
  void live_stopped();
  // The i-th of `total` capture files is open and about to be read.
  void file_started(const capture::PacketSource& source, size_t total_files);
  // Before the current capture file is closed: takes its final position.
  void file_closing();
  // The current capture file is done (read, failed or skipped).
  void file_finished(const Stats& stats);
  // Call often (every few hundred packets, and when a live capture is
  // quiet): redraws the progress line when a second has passed.
  void tick(const Stats& stats);

  // Ends the progress line (if one is shown) so a message can follow.
  void break_line() { progress_.finish(); }

  // End of the run: ends the progress line, prints the capture statistics
  // and the replaced-files line, and adds their figures to `summary`.
  void finish(report::RunSummary& summary);

 private:
  void draw(const Stats& stats, ProgressLine::Clock::time_point now);

  bool quiet_;
  ProgressLine progress_;
  std::unique_ptr<EarlierRun> earlier_run_;
  capture::LiveSource* live_ = nullptr;
  bool was_live_ = false;
  std::optional<capture::CaptureStats> live_stats_;
  const capture::PacketSource* file_ = nullptr;  // while it is open
  capture::InputPosition last_position_;
  size_t files_done_ = 0;
  size_t files_total_ = 0;
  ProgressLine::Clock::time_point started_ = ProgressLine::Clock::now();
  ProgressLine::Clock::time_point file_started_ = started_;
};

}  // namespace tcpflow::app
