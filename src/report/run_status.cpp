#include "report/run_status.h"

namespace tcpflow::report {

std::string_view run_status(const RunOutcome& outcome) {
  if (outcome.inputs_failed) return "inputs_failed";
  if (outcome.output_failed) return "output_failed";
  if (outcome.interrupted) return "interrupted";
  if (outcome.truncated) return "truncated";
  return "complete";
}

}  // namespace tcpflow::report
