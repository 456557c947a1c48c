// What a run says as it ends: the figures of the report's summary, every
// counter on stderr (-d 2 and up), advice about a flat output directory, and
// the exit status.
#pragma once
#include <cstdint>

#include "app/config.h"
#include "report/dfxml_writer.h"
#include "report/run_summary.h"
#include "util/stats.h"

namespace tcpflow::app {

// Figures gathered from the run's objects for the report's summary.
struct RunFigures {
  double elapsed_seconds = 0;
  bool interrupted = false;  // stopped by a signal rather than the end of input
  uint64_t peak_connections = 0;
  uint64_t peak_held_bytes = 0;
  uint64_t max_held_bytes = 0;
  uint64_t held_bytes_refusals = 0;
  uint64_t peak_open_files = 0;
  uint64_t fd_cache_evictions = 0;
};

report::RunSummary run_summary(const Stats& stats, const RunFigures& figures);

// Finishes the report with `summary`; says on stderr, and returns false,
// when the report could not be written whole.
bool finish_report(report::DfxmlWriter& report, const report::RunSummary& summary);

// Over 10,000 files in one directory: suggests -Fk/-Fm/-Fg (unless -q).
void advise_subdirectories(const Config& config, uint64_t files_named);

// -d 2 and up (-v): every non-zero counter on stderr.
void print_counters(const Stats& stats);

// 0, or 1 when an input or the report failed, a flow file could not be
// written whole (said on stderr) or the console could not be written.
int exit_status(bool input_failed, const Stats& stats, bool console_failed);

}  // namespace tcpflow::app
