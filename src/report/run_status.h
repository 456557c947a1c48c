// The one word report.xml's <tcpflow:summary status="..."> gives for a run,
// derived from what happened to its inputs and outputs. The vocabulary is
// documented in FORMAT.md and the man page (EXIT STATUS):
//
//   complete       every input was read to its end (a live capture stopped
//                  by SIGINT/SIGTERM: that is how it ends)
//   truncated      an input stopped early - inside a record or at data that
//                  cannot be parsed - after packets were read; those were used
//   interrupted    a signal stopped the reading of capture files
//   inputs_failed  an input could not be opened or read at all
//   output_failed  flow files or the report could not be written completely
//   incomplete     the report was closed without the end of the run (written
//                  by DfxmlWriter's destructor only)
//
// When several apply, the first in the order inputs_failed, output_failed,
// interrupted, truncated wins; the summary's counters tell the rest.
#pragma once
#include <string_view>

namespace tcpflow::report {

struct RunOutcome {
  bool inputs_failed = false;
  bool output_failed = false;
  bool interrupted = false;  // a signal stopped reading capture files (not a live capture)
  bool truncated = false;
};

std::string_view run_status(const RunOutcome& outcome);

}  // namespace tcpflow::report
