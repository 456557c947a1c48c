#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "util/child_runner.h"
#include "util/command_words.h"
#include "util/error.h"

namespace tcpflow {
namespace {

using Words = std::vector<std::string>;

Words split(const std::string& text) { return split_command_words(text, "tcp_cmd"); }

TEST(CommandWords, BlanksSeparateWords) {
  EXPECT_EQ(split("echo a  b\tc\n"), (Words{"echo", "a", "b", "c"}));
  EXPECT_EQ(split("  ls  "), (Words{"ls"}));
}

TEST(CommandWords, SingleQuotesKeepEverything) {
  EXPECT_EQ(split("sh -c 'echo \"$TCPFLOW_FILE\" \\n'"),
            (Words{"sh", "-c", "echo \"$TCPFLOW_FILE\" \\n"}));
}

TEST(CommandWords, DoubleQuotesEscapeOnlyQuoteAndBackslash) {
  EXPECT_EQ(split(R"(printf "a \"b\" \\ \n")"), (Words{"printf", R"(a "b" \ \n)"}));
}

TEST(CommandWords, QuotesJoinPartsOfOneWord) {
  EXPECT_EQ(split("a'b c'd\"e f\"g"), (Words{"ab cde fg"}));
  EXPECT_EQ(split("x '' \"\""), (Words{"x", "", ""}));
  EXPECT_EQ(split("a\\ b"), (Words{"a b"}));
}

TEST(CommandWords, MistakesAreUsageErrors) {
  EXPECT_THROW(split("sh -c 'echo"), UsageError);
  EXPECT_THROW(split("echo \"x"), UsageError);
  EXPECT_THROW(split("echo \\"), UsageError);
  EXPECT_THROW(split("   "), UsageError);
  try {
    split("sh -c 'x");
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "-S tcp_cmd=sh -c 'x: unclosed single quote");
  }
}

struct Failures {
  std::vector<std::string> lines;
  ChildRunner::FailureCallback callback() {
    return [this](const std::string& label, const std::string& why) {
      lines.push_back(label + " " + why);
    };
  }
};

TEST(ChildRunner, ReportsExitStatusSignalAndSpawnFailure) {
  Failures failures;
  {
    ChildRunner runner(2, failures.callback());
    runner.start({"true"}, {}, "ok");
    runner.start({"sh", "-c", "exit 3"}, {}, "three");
    runner.start({"sh", "-c", "kill -9 $$"}, {}, "killed");
    runner.start({"/nonexistent/tcpflow-test-program"}, {}, "missing");
    runner.wait_all();
    EXPECT_EQ(runner.started(), 4u);
    EXPECT_EQ(runner.failed(), 3u);
    EXPECT_EQ(runner.running(), 0u);
  }
  ASSERT_EQ(failures.lines.size(), 3u);
  EXPECT_NE(std::find(failures.lines.begin(), failures.lines.end(), "three exited with status 3"),
            failures.lines.end());
  bool killed = false, missing = false;
  for (const auto& line : failures.lines) {
    killed = killed || line.rfind("killed killed by signal 9", 0) == 0;
    missing = missing || line.rfind("missing could not start", 0) == 0 ||
              line == "missing exited with status 127";
  }
  EXPECT_TRUE(killed);
  EXPECT_TRUE(missing);
}

TEST(ChildRunner, NeverRunsMoreThanMaxJobs) {
  Failures failures;
  ChildRunner runner(2, failures.callback());
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) runner.start({"sleep", "0.2"}, {}, "sleep");
  EXPECT_LE(runner.peak_running(), 2u);
  runner.wait_all();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(seconds, 0.55);  // 6 jobs of 0.2 s, 2 at a time: 3 rounds
  EXPECT_EQ(runner.peak_running(), 2u);
  EXPECT_TRUE(failures.lines.empty());
}

TEST(ChildRunner, ExtraEnvironmentReplacesAndStdinIsEmpty) {
  char dir_template[] = "/tmp/tcpflow-runner-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string out = std::string(dir_template) + "/env";
  ::setenv("TCPFLOW_TEST_VAR", "old", 1);
  Failures failures;
  {
    ChildRunner runner(1, failures.callback());
    runner.start({"sh", "-c", "printf '%s|' \"$TCPFLOW_TEST_VAR\" \"$X2\" > \"$1\"; cat >> \"$1\"",
                  "sh", out},
                 {"TCPFLOW_TEST_VAR=new", "X2=two words"}, "env");
  }
  ::unsetenv("TCPFLOW_TEST_VAR");
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "new|two words|");
  EXPECT_TRUE(failures.lines.empty());
  std::remove(out.c_str());
  ::rmdir(dir_template);
}

}  // namespace
}  // namespace tcpflow
