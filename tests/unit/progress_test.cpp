#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/progress.h"

namespace tcpflow::app {
namespace {

TEST(Progress, HumanBytes) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(999), "999 B");
  EXPECT_EQ(human_bytes(1000), "1.0 kB");
  EXPECT_EQ(human_bytes(1500), "1.5 kB");
  EXPECT_EQ(human_bytes(999949), "999.9 kB");
  EXPECT_EQ(human_bytes(999950), "1.0 MB");  // never "1000.0 kB"
  EXPECT_EQ(human_bytes(12.3e6), "12.3 MB");
  EXPECT_EQ(human_bytes(4e9), "4.0 GB");
  EXPECT_EQ(human_bytes(2.5e15), "2.5 PB");
}

TEST(Progress, HumanDuration) {
  EXPECT_EQ(human_duration(0), "0:00");
  EXPECT_EQ(human_duration(-3), "0:00");
  EXPECT_EQ(human_duration(7.4), "0:07");
  EXPECT_EQ(human_duration(7.6), "0:08");
  EXPECT_EQ(human_duration(252), "4:12");
  EXPECT_EQ(human_duration(3599), "59:59");
  EXPECT_EQ(human_duration(3600), "1:00:00");
  EXPECT_EQ(human_duration(3903), "1:05:03");
}

TEST(Progress, RateNeedsATenthOfASecond) {
  EXPECT_EQ(transfer_rate(1000000, 0.0), 0.0);
  EXPECT_EQ(transfer_rate(1000000, 0.05), 0.0);
  EXPECT_DOUBLE_EQ(transfer_rate(1000000, 0.5), 2000000.0);
  EXPECT_DOUBLE_EQ(transfer_rate(85300000, 1.0), 85300000.0);
}

TEST(Progress, SecondsLeft) {
  EXPECT_DOUBLE_EQ(seconds_left(1000, 4000, 100), 30.0);
  EXPECT_DOUBLE_EQ(seconds_left(4000, 4000, 100), 0.0);
  EXPECT_DOUBLE_EQ(seconds_left(5000, 4000, 100), 0.0);  // read ahead past a growing file's size
  EXPECT_LT(seconds_left(1000, 0, 100), 0);              // unknown total
  EXPECT_LT(seconds_left(1000, 4000, 0), 0);             // no rate yet
}

TEST(Progress, FileText) {
  // 1.2 GB of 4 GB after 10 s: 120 MB/s, 2.8 GB left = 23.3 s.
  EXPECT_EQ(file_progress_text(1200000000, 4000000000, 10.0),
            "tcpflow: 1.2 GB of 4.0 GB (30%), 120.0 MB/s, 0:23 left");
  EXPECT_EQ(file_progress_text(4000000000, 4000000000, 40.0),
            "tcpflow: 4.0 GB of 4.0 GB (100%), 100.0 MB/s, 0:00 left");
  EXPECT_EQ(file_progress_text(1200000000, 0, 10.0), "tcpflow: 1.2 GB read, 120.0 MB/s");
  // Too early for a rate: no time left either.
  EXPECT_EQ(file_progress_text(1000, 4000, 0.01), "tcpflow: 1.0 kB of 4.0 kB (25%), 0 B/s");
}

TEST(Progress, FilesAndLiveText) {
  EXPECT_EQ(files_progress_text(3, 10, 120500000, 42, 2.0),
            "tcpflow: 3/10 files, 120.5 MB, 42 flows, 60.2 MB/s");
  EXPECT_EQ(live_progress_text(1520, 12, 0), "tcpflow: 1520 packets, 12 flows, 0 dropped");
}

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  int c;
  while ((c = std::fgetc(f)) != EOF) out += static_cast<char>(c);
  return out;
}

TEST(ProgressLine, RewritesInPlaceAndEndsWithANewline) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  using Clock = ProgressLine::Clock;
  ProgressLine line(f, true, std::chrono::seconds(1));
  Clock::time_point t0 = Clock::now();
  EXPECT_FALSE(line.due(t0 - std::chrono::seconds(5)));
  EXPECT_TRUE(line.due(t0 + std::chrono::seconds(2)));
  EXPECT_FALSE(line.showing());
  line.show("tcpflow: long text", t0 + std::chrono::seconds(2));
  EXPECT_TRUE(line.showing());
  EXPECT_FALSE(line.due(t0 + std::chrono::milliseconds(2500)));
  EXPECT_TRUE(line.due(t0 + std::chrono::seconds(3)));
  line.show("tcpflow: short", t0 + std::chrono::seconds(3));
  line.finish();
  EXPECT_FALSE(line.showing());
  line.finish();  // once only
  EXPECT_EQ(read_all(f), "\rtcpflow: long text\rtcpflow: short    \n");
  std::fclose(f);
}

TEST(ProgressLine, DisabledWritesNothing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressLine line(f, false);
  EXPECT_FALSE(line.due(ProgressLine::Clock::now() + std::chrono::hours(1)));
  line.show("x", ProgressLine::Clock::now());
  line.finish();
  EXPECT_EQ(read_all(f), "");
  std::fclose(f);
}

TEST(ProgressLine, NothingShownMeansNoNewline) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressLine line(f, true);
  line.finish();
  EXPECT_EQ(read_all(f), "");
  std::fclose(f);
}

}  // namespace
}  // namespace tcpflow::app
