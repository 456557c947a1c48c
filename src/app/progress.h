// Progress on a terminal: one line on stderr, rewritten in place at most once
// a second, and only when a person is watching (stderr is a terminal). The
// text is built by pure functions so the arithmetic (rate, time left) and the
// wording can be tested without a terminal.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tcpflow::app {

// "0 B", "999 B", "1.5 kB", "12.3 MB", "4.0 GB" (decimal units, as disks are sold).
std::string human_bytes(double bytes);
// "0:07", "4:12", "1:05:03" (h:mm:ss once it reaches an hour).
std::string human_duration(double seconds);

// Bytes per second over `elapsed_sec`; 0 when too little time has passed to tell.
double transfer_rate(uint64_t bytes, double elapsed_sec);
// Seconds until `total` at `rate`; negative when unknown (no total, no rate).
double seconds_left(uint64_t done, uint64_t total, double rate);

// One large file: "tcpflow: 1.2 GB of 4.0 GB (30%), 85.3 MB/s, 0:33 left";
// without a known size (a pipe): "tcpflow: 1.2 GB read, 85.3 MB/s".
std::string file_progress_text(uint64_t done, uint64_t total, double elapsed_sec);
// Several files: "tcpflow: 3/10 files, 120.5 MB, 42 flows, 85.3 MB/s".
std::string files_progress_text(size_t files_done, size_t files_total, uint64_t bytes,
                                uint64_t flows, double elapsed_sec);
// A live capture: "tcpflow: 1520 packets, 12 flows, 0 dropped".
std::string live_progress_text(uint64_t packets, uint64_t flows, uint64_t dropped);

// Whether progress is wanted: stderr is a terminal, and it is not the
// terminal the console output (-c) goes to.
bool progress_wanted(bool console_to_stdout);

// The line itself. `enabled` false makes every call a no-op.
class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ProgressLine(std::FILE* out, bool enabled,
                        Clock::duration interval = std::chrono::seconds(1));

  bool enabled() const { return enabled_; }
  // A line is on the screen (shown and not yet finished).
  bool showing() const { return shown_width_ > 0; }
  // True once `interval` has passed since the last show() (or construction).
  bool due(Clock::time_point now) const { return enabled_ && now - last_ >= interval_; }
  // Rewrites the line: carriage return, text, spaces over the rest of a
  // longer previous text.
  void show(const std::string& text, Clock::time_point now);
  // Ends the line (a newline) if anything was shown.
  void finish();

 private:
  std::FILE* out_;
  bool enabled_;
  Clock::duration interval_;
  Clock::time_point last_;
  size_t shown_width_ = 0;
};

}  // namespace tcpflow::app
