#include <gtest/gtest.h>

#include "app/live_notices.h"

namespace tcpflow::app {
namespace {

TEST(LiveNotices, ListeningLineAsTcpdumpPrintsIt) {
  EXPECT_EQ(listening_text("eth0", "EN10MB", "Ethernet", 262144),
            "listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes");
}

TEST(LiveNotices, StatsTextCountsEachFigure) {
  capture::CaptureStats stats;
  stats.received = 1520;
  stats.dropped_by_kernel = 1;
  stats.dropped_by_interface = 0;
  EXPECT_EQ(capture_stats_text(stats),
            "1520 packets received by filter, 1 packet dropped by kernel, "
            "0 packets dropped by interface");
}

TEST(LiveNotices, WarnsOnlyWhenTheKernelDropped) {
  capture::CaptureStats clean;
  clean.received = 10;
  clean.dropped_by_interface = 3;  // not ours to explain: the line says it
  EXPECT_FALSE(kernel_drop_warning(clean).has_value());
  capture::CaptureStats dropped;
  dropped.dropped_by_kernel = 12;
  auto warning = kernel_drop_warning(dropped);
  ASSERT_TRUE(warning.has_value());
  EXPECT_NE(warning->find("the kernel dropped 12 packets"), std::string::npos);
  EXPECT_NE(warning->find("gaps"), std::string::npos);
}

TEST(LiveNotices, SummaryValues) {
  report::RunSummary summary;
  capture::CaptureStats stats{7, 2, 1};
  add_capture_stats(summary, stats);
  ASSERT_EQ(summary.values.size(), 3u);
  EXPECT_EQ(summary.values[0], std::make_pair(std::string("capture_received"), std::string("7")));
  EXPECT_EQ(summary.values[1],
            std::make_pair(std::string("capture_dropped_by_kernel"), std::string("2")));
  EXPECT_EQ(summary.values[2],
            std::make_pair(std::string("capture_dropped_by_interface"), std::string("1")));
}

}  // namespace
}  // namespace tcpflow::app
