#include "app/end_of_run.h"

#include <cstdio>
#include <string>

namespace tcpflow::app {

report::RunSummary run_summary(const Stats& stats, const RunFigures& figures) {
  report::RunSummary summary;
  summary.stats = stats;
  summary.elapsed_seconds = figures.elapsed_seconds;
  summary.stop_reason = figures.interrupted ? "signal" : "end_of_input";
  summary.values.emplace_back("peak_connections", std::to_string(figures.peak_connections));
  summary.values.emplace_back("peak_held_bytes", std::to_string(figures.peak_held_bytes));
  summary.values.emplace_back("max_held_bytes", std::to_string(figures.max_held_bytes));
  summary.values.emplace_back("held_bytes_refusals", std::to_string(figures.held_bytes_refusals));
  summary.values.emplace_back("peak_open_files", std::to_string(figures.peak_open_files));
  summary.values.emplace_back("fd_cache_evictions", std::to_string(figures.fd_cache_evictions));
  return summary;
}

bool finish_report(report::DfxmlWriter& report, const report::RunSummary& summary) {
  report.finish(summary);
  if (report.ok()) return true;
  std::fprintf(stderr, "tcpflow: report: %s\n", report.error().c_str());
  return false;
}

void advise_subdirectories(const Config& config, uint64_t files_named) {
  constexpr uint64_t kManyFiles = 10000;
  bool one_directory = config.filename_template.find('/') == std::string::npos;
  if (!one_directory || files_named <= kManyFiles || config.quiet) return;
  std::fprintf(stderr,
               "tcpflow: %llu flow files were written; consider -Fk, -Fm or -Fg to spread "
               "them over subdirectories\n",
               static_cast<unsigned long long>(files_named));
}

void print_counters(const Stats& stats) {
  for (size_t i = 0; i < kCounterCount; ++i) {
    auto counter = static_cast<Counter>(i);
    if (stats.get(counter) == 0) continue;
    std::fprintf(stderr, "tcpflow: %-32s %llu\n", std::string(counter_name(counter)).c_str(),
                 static_cast<unsigned long long>(stats.get(counter)));
  }
}

int exit_status(bool input_failed, const Stats& stats, bool console_failed) {
  int status = input_failed ? 1 : 0;
  if (stats.get(Counter::kWriteErrors) > 0) {
    std::fprintf(stderr, "tcpflow: %llu write errors: some flows are incomplete on disk\n",
                 static_cast<unsigned long long>(stats.get(Counter::kWriteErrors)));
    status = 1;
  }
  if (console_failed) status = 1;
  return status;
}

}  // namespace tcpflow::app
