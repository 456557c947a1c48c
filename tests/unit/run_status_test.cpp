#include <gtest/gtest.h>

#include "report/run_status.h"

namespace tcpflow::report {
namespace {

TEST(RunStatus, NothingWrongIsComplete) { EXPECT_EQ(run_status({}), "complete"); }

TEST(RunStatus, EachConditionHasItsWord) {
  RunOutcome failed;
  failed.inputs_failed = true;
  EXPECT_EQ(run_status(failed), "inputs_failed");
  RunOutcome output;
  output.output_failed = true;
  EXPECT_EQ(run_status(output), "output_failed");
  RunOutcome interrupted;
  interrupted.interrupted = true;
  EXPECT_EQ(run_status(interrupted), "interrupted");
  RunOutcome truncated;
  truncated.truncated = true;
  EXPECT_EQ(run_status(truncated), "truncated");
}

TEST(RunStatus, TheGravestConditionWins) {
  RunOutcome all{true, true, true, true};
  EXPECT_EQ(run_status(all), "inputs_failed");
  RunOutcome no_input_failure{false, true, true, true};
  EXPECT_EQ(run_status(no_input_failure), "output_failed");
  RunOutcome interrupted_and_truncated{false, false, true, true};
  EXPECT_EQ(run_status(interrupted_and_truncated), "interrupted");
}

}  // namespace
}  // namespace tcpflow::report
