#include "app/progress.h"

#include <unistd.h>

#include <cmath>

namespace tcpflow::app {

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  size_t unit = 0;
  while (bytes >= 999.95 && unit + 1 < sizeof kUnits / sizeof kUnits[0]) {
    bytes /= 1000;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", bytes, kUnits[unit]);
  }
  return buf;
}

std::string human_duration(double seconds) {
  uint64_t total = seconds > 0 ? static_cast<uint64_t>(std::llround(seconds)) : 0;
  char buf[32];
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu",
                  static_cast<unsigned long long>(total / 3600),
                  static_cast<unsigned long long>(total / 60 % 60),
                  static_cast<unsigned long long>(total % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(total / 60),
                  static_cast<unsigned long long>(total % 60));
  }
  return buf;
}

double transfer_rate(uint64_t bytes, double elapsed_sec) {
  // Below a tenth of a second the figure is mostly noise.
  constexpr double kMinElapsed = 0.1;
  return elapsed_sec >= kMinElapsed ? static_cast<double>(bytes) / elapsed_sec : 0.0;
}

double seconds_left(uint64_t done, uint64_t total, double rate) {
  if (total == 0 || rate <= 0) return -1;
  if (done >= total) return 0;
  return static_cast<double>(total - done) / rate;
}

std::string file_progress_text(uint64_t done, uint64_t total, double elapsed_sec) {
  double rate = transfer_rate(done, elapsed_sec);
  std::string text = "tcpflow: " + human_bytes(static_cast<double>(done));
  if (total > 0) {
    uint64_t shown = done < total ? done : total;
    text += " of " + human_bytes(static_cast<double>(total)) + " (" +
            std::to_string(shown * 100 / total) + "%)";
  } else {
    text += " read";
  }
  text += ", " + human_bytes(rate) + "/s";
  double left = seconds_left(done, total, rate);
  if (left >= 0) text += ", " + human_duration(left) + " left";
  return text;
}

std::string files_progress_text(size_t files_done, size_t files_total, uint64_t bytes,
                                uint64_t flows, double elapsed_sec) {
  return "tcpflow: " + std::to_string(files_done) + "/" + std::to_string(files_total) +
         " files, " + human_bytes(static_cast<double>(bytes)) + ", " + std::to_string(flows) +
         " flows, " + human_bytes(transfer_rate(bytes, elapsed_sec)) + "/s";
}

std::string live_progress_text(uint64_t packets, uint64_t flows, uint64_t dropped) {
  return "tcpflow: " + std::to_string(packets) + " packets, " + std::to_string(flows) +
         " flows, " + std::to_string(dropped) + " dropped";
}

bool progress_wanted(bool console_to_stdout) {
  if (!::isatty(STDERR_FILENO)) return false;
  return !(console_to_stdout && ::isatty(STDOUT_FILENO));
}

ProgressLine::ProgressLine(std::FILE* out, bool enabled, Clock::duration interval)
    : out_(out), enabled_(enabled), interval_(interval), last_(Clock::now()) {}

void ProgressLine::show(const std::string& text, Clock::time_point now) {
  if (!enabled_) return;
  last_ = now;
  std::string line = "\r" + text;
  if (text.size() < shown_width_) line.append(shown_width_ - text.size(), ' ');
  shown_width_ = text.size();
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

void ProgressLine::finish() {
  if (!enabled_ || shown_width_ == 0) return;
  std::fputc('\n', out_);
  std::fflush(out_);
  shown_width_ = 0;
}

}  // namespace tcpflow::app
