#include "app/flow_hooks.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "util/error.h"

namespace tcpflow::app {
namespace {

decode::IpAddress v4(uint8_t last) {
  decode::IpAddress address;
  address.family = 4;
  address.bytes[0] = 10;
  address.bytes[3] = last;
  return address;
}

flow::FlowInfo sample_flow() {
  flow::FlowInfo info;
  info.src = v4(1);
  info.dst = v4(2);
  info.src_port = 1234;
  info.dst_port = 80;
  info.vlan = 7;
  info.file_size = 1000;
  info.packets = 9;
  info.connection_id = 3;
  info.is_client = true;
  info.direction_known = true;
  info.close_reason = flow::CloseReason::kRst;
  info.first_ts = Timestamp{1700000000, 250000000};
  info.last_ts = Timestamp{1700000001, 0};
  return info;
}

TEST(FlowHooks, EnvironmentNamesTheFlowsFacts) {
  std::vector<std::string> env = FlowHooks::environment(sample_flow(), "out/f");
  for (const char* want :
       {"TCPFLOW_FILE=out/f", "TCPFLOW_SRC=10.0.0.1", "TCPFLOW_DST=10.0.0.2",
        "TCPFLOW_SRC_PORT=1234", "TCPFLOW_DST_PORT=80", "TCPFLOW_VLAN=7", "TCPFLOW_BYTES=1000",
        "TCPFLOW_PACKETS=9", "TCPFLOW_CONNECTION_ID=3", "TCPFLOW_DIRECTION=client",
        "TCPFLOW_CLOSE_REASON=rst", "TCPFLOW_FIRST_TS=1700000000.250000",
        "TCPFLOW_LAST_TS=1700000001.000000"}) {
    EXPECT_NE(std::find(env.begin(), env.end(), want), env.end()) << want;
  }
}

TEST(FlowHooks, EnvironmentNamesTheProcessesOfBothEnds) {
  flow::ProcessInfo client;
  client.uid = 1000;
  client.user = "alice";
  client.pid = 4242;
  client.cmd = "curl";
  client.exe = "/usr/bin/curl";
  std::vector<std::string> env = FlowHooks::environment(sample_flow(), "out/f", &client, nullptr);
  for (const char* want :
       {"TCPFLOW_SRC_PID=4242", "TCPFLOW_SRC_UID=1000", "TCPFLOW_SRC_USER=alice",
        "TCPFLOW_SRC_CMD=curl", "TCPFLOW_SRC_EXE=/usr/bin/curl", "TCPFLOW_DST_PID=",
        "TCPFLOW_DST_UID=", "TCPFLOW_DST_USER=", "TCPFLOW_DST_CMD=", "TCPFLOW_DST_EXE="}) {
    EXPECT_NE(std::find(env.begin(), env.end(), want), env.end()) << want;
  }
  // Without --processes the variables are there, empty, so scripts can test them.
  env = FlowHooks::environment(sample_flow(), "out/f");
  EXPECT_NE(std::find(env.begin(), env.end(), "TCPFLOW_SRC_PID="), env.end());
}

TEST(FlowHooks, AlertLinesGoToTheFd) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  Config config;
  config.tcp_alert_fd = fds[1];
  Stats stats;
  {
    FlowHooks hooks(config, stats);
    hooks.file_opened("out/a b");
    hooks.file_closed(sample_flow(), "out/a b");
    hooks.file_closed(sample_flow(), "");  // no file (-FX): no line
    hooks.flow_recorded(sample_flow(), "out/a b");  // no tcp_cmd: nothing runs
  }
  ::close(fds[1]);
  std::string got;
  char buffer[256];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0) got.append(buffer, static_cast<size_t>(n));
  ::close(fds[0]);
  EXPECT_EQ(got, "open\tout/a b\nclose\tout/a b\t1000\n");
  EXPECT_EQ(stats.get(Counter::kTcpCmdRuns), 0u);
}

TEST(FlowHooks, BadAlertFdIsASetupError) {
  Config config;
  Stats stats;
  int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  config.tcp_alert_fd = fd;
  EXPECT_THROW(FlowHooks(config, stats), Error);  // read-only
  ::close(fd);
  EXPECT_THROW(FlowHooks(config, stats), Error);  // closed
}

TEST(FlowHooks, CommandFailuresAreCountedNotThrown) {
  Config config;
  config.tcp_cmd = "sh -c 'exit 5' x";
  Stats stats;
  FlowHooks hooks(config, stats);
  hooks.flow_recorded(sample_flow(), "out/f");
  hooks.flow_recorded(sample_flow(), "");  // no file: nothing runs
  hooks.finish();
  EXPECT_EQ(stats.get(Counter::kTcpCmdRuns), 1u);
  EXPECT_EQ(stats.get(Counter::kTcpCmdFailures), 1u);
}

TEST(FlowHooks, UnbalancedQuoteIsAUsageError) {
  Config config;
  config.tcp_cmd = "sh -c 'echo";
  Stats stats;
  EXPECT_THROW(FlowHooks(config, stats), UsageError);
}

}  // namespace
}  // namespace tcpflow::app
