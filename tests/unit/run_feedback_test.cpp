// RunFeedback's figures for the report summary (its stderr lines are checked
// end to end: tests/e2e/scenarios_run_notices.py, tests/live/live_notices_test.py).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>

#include "app/run_feedback.h"

namespace tcpflow::app {
namespace {

std::map<std::string, std::string> values_of(const report::RunSummary& summary) {
  return {summary.values.begin(), summary.values.end()};
}

class RunFeedbackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/run_feedback_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    config_.quiet = true;  // the lines are not what is tested here
  }
  void TearDown() override {
    for (const char* name : {"report.xml", "a"}) ::unlink((dir_ + "/" + name).c_str());
    ::rmdir(dir_.c_str());
  }
  std::string dir_;
  Config config_;
};

TEST_F(RunFeedbackTest, RecordsAnEarlierRunAndItsReplacedFiles) {
  std::ofstream(dir_ + "/report.xml") << "<dfxml/>";
  std::ofstream(dir_ + "/a") << "old";
  RunFeedback feedback(config_, dir_);
  feedback.file_opening(dir_ + "/a");
  feedback.file_opening(dir_ + "/b");
  report::RunSummary summary;
  feedback.finish(summary);
  auto values = values_of(summary);
  EXPECT_EQ(values["earlier_report"], "1");
  EXPECT_EQ(values["replaced_flow_files"], "1");
  EXPECT_EQ(values.count("capture_received"), 0u);  // not a live capture
}

TEST_F(RunFeedbackTest, AFreshDirectoryRecordsZero) {
  RunFeedback feedback(config_, dir_);
  feedback.file_opening(dir_ + "/a");
  report::RunSummary summary;
  feedback.finish(summary);
  auto values = values_of(summary);
  EXPECT_EQ(values["earlier_report"], "0");
  EXPECT_EQ(values["replaced_flow_files"], "0");
}

TEST_F(RunFeedbackTest, ConsoleModeAndNoFlowFilesRecordNothing) {
  std::ofstream(dir_ + "/report.xml") << "<dfxml/>";
  RunFeedback console(config_, "");
  report::RunSummary summary;
  console.finish(summary);
  EXPECT_TRUE(summary.values.empty());

  config_.store_flows = false;  // -FX
  RunFeedback no_files(config_, dir_);
  report::RunSummary summary2;
  no_files.finish(summary2);
  EXPECT_TRUE(summary2.values.empty());
}

}  // namespace
}  // namespace tcpflow::app
