// tcpflow --merge-reports -o DIR: joins the reports of a sharded run
// (merge/report_merger.h) instead of reading a capture.
#pragma once
#include "app/config.h"

namespace tcpflow::app {

// Returns the exit status; refusals throw tcpflow::Error (main prints them).
int run_merge_reports(const Config& config);

}  // namespace tcpflow::app
