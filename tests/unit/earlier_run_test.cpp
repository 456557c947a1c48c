#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "app/earlier_run.h"

namespace tcpflow::app {
namespace {

class EarlierRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/earlier_run_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const std::string& name : created_) ::unlink((dir_ + "/" + name).c_str());
    ::rmdir(dir_.c_str());
  }
  void make(const std::string& name) {
    std::ofstream(dir_ + "/" + name) << "x";
    created_.push_back(name);
  }
  std::string dir_;
  std::vector<std::string> created_;
};

TEST_F(EarlierRunTest, EmptyDirectorySaysNothing) {
  EarlierRun run(dir_);
  EXPECT_FALSE(run.has_report());
  run.file_opening(dir_ + "/a");
  EXPECT_EQ(run.replaced_files(), 0u);
  EXPECT_EQ(run.start_notice(), "");
  EXPECT_EQ(run.end_notice(), "");
}

TEST_F(EarlierRunTest, AnEarlierReportIsAnnounced) {
  make("report.xml");
  EarlierRun run(dir_);
  EXPECT_TRUE(run.has_report());
  EXPECT_EQ(run.start_notice(), "output directory " + dir_ +
                                    " holds report.xml of an earlier run: flow files of the "
                                    "same names are replaced");
  // Only report.xml: no flow file to replace, none looked at.
  make("a");
  run.file_opening(dir_ + "/a");
  EXPECT_EQ(run.replaced_files(), 0u);
}

TEST_F(EarlierRunTest, CountsFilesThatExistBeforeTheirCreation) {
  make("report.xml");
  make("a");
  make("b");
  EarlierRun run(dir_);
  run.file_opening(dir_ + "/a");
  run.file_opening(dir_ + "/new");
  EXPECT_EQ(run.replaced_files(), 1u);
  EXPECT_EQ(run.end_notice(), "1 flow file replaced existing files in output directory " + dir_);
  run.file_opening(dir_ + "/b");
  EXPECT_EQ(run.end_notice(), "2 flow files replaced existing files in output directory " + dir_);
}

TEST_F(EarlierRunTest, FilesWithoutAReportStillCount) {
  make("a");
  EarlierRun run(dir_);
  EXPECT_FALSE(run.has_report());
  EXPECT_EQ(run.start_notice(), "");
  run.file_opening(dir_ + "/a");
  EXPECT_EQ(run.replaced_files(), 1u);
}

TEST(EarlierRun, MissingDirectoryIsNoEarlierRun) {
  EarlierRun run("/nonexistent/earlier/run/dir");
  EXPECT_FALSE(run.has_report());
  run.file_opening("/nonexistent/earlier/run/dir/a");
  EXPECT_EQ(run.replaced_files(), 0u);
}

}  // namespace
}  // namespace tcpflow::app
