// End-of-run facts for the report's closing <tcpflow:summary> element.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "util/stats.h"

namespace tcpflow::report {

struct RunSummary {
  // Every counter is printed, zero or not, with its description. Packets,
  // bytes, flows and connections are read from here (kPacketsRead,
  // kBytesRead, kFlowsCreated, kConnectionsCreated) so the report cannot
  // disagree with itself.
  Stats stats;
  std::string status = "complete";  // see report/run_status.h
  double elapsed_seconds = 0;  // wall clock; also written as <rusage><clocktime>
  std::string stop_reason;     // e.g. "end_of_input", "signal"; omitted when empty
  // Free-form figures, e.g. {"max_held_bytes", "268435456"}, {"peak_open_flows", "12"}.
  std::vector<std::pair<std::string, std::string>> values;
};

}  // namespace tcpflow::report
