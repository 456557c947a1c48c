// --proxy and its companions on the command line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/options.h"
#include "util/error.h"

namespace tcpflow::app {
namespace {

Config parse_proxy(std::vector<std::string> args) {
  args.insert(args.begin(), "tcpflow");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  return parse_options(static_cast<int>(argv.size()), argv.data()).config;
}

TEST(ProxyOptions, PairsEachListenerWithItsDestination) {
  Config c = parse_proxy({"--proxy", "8080", "--proxy-to", "db:5432", "--proxy", "[::1]:9000",
                          "--proxy-to", "[2001:db8::1]:80", "-o", "out"});
  ASSERT_EQ(c.proxy.routes.size(), 2u);
  EXPECT_EQ(c.proxy.routes[0].listen.host, "");
  EXPECT_EQ(c.proxy.routes[0].listen.port, 8080);
  EXPECT_EQ(c.proxy.routes[0].target.host, "db");
  EXPECT_EQ(c.proxy.routes[1].listen.host, "::1");
  EXPECT_EQ(c.proxy.routes[1].target.host, "2001:db8::1");
  EXPECT_FALSE(c.live);  // no capture, not even the default device
  EXPECT_EQ(c.proxy.record, proxy::RecordSides::kBoth);
  EXPECT_EQ(c.proxy.buffer_bytes, 256u * 1024);
  EXPECT_EQ(c.proxy.grace_sec, 10);
}

TEST(ProxyOptions, RecordAllowPidfileAndSettings) {
  Config c = parse_proxy({"--proxy", "1", "--proxy-to", "h:2", "--proxy-record", "server",
                          "--proxy-allow", "10.0.0.0/8", "--proxy-allow", "::1", "--pidfile",
                          "/run/t.pid", "-S", "proxy_buffer=64K", "-S", "proxy_grace=2.5", "-S",
                          "proxy_idle_timeout=30", "-S", "proxy_times=NO", "-S",
                          "printable_only=YES"});
  EXPECT_EQ(c.proxy.record, proxy::RecordSides::kServer);
  EXPECT_EQ(c.proxy.allow.size(), 2u);
  EXPECT_EQ(c.pidfile, "/run/t.pid");
  EXPECT_EQ(c.proxy.buffer_bytes, 65536u);
  EXPECT_EQ(c.proxy.grace_sec, 2.5);
  EXPECT_EQ(c.proxy.idle_timeout_sec, 30);
  EXPECT_FALSE(c.proxy.record_times);
  EXPECT_TRUE(c.proxy.printable_only);
}

TEST(ProxyOptions, RejectsUnpairedOrConflictingUse) {
  EXPECT_THROW(parse_proxy({"--proxy", "80"}), UsageError);
  EXPECT_THROW(parse_proxy({"--proxy-to", "h:80"}), UsageError);
  EXPECT_THROW(parse_proxy({"--proxy", "80", "--proxy-to", "h:1", "--proxy", "81"}), UsageError);
  EXPECT_THROW(parse_proxy({"--proxy", "80", "--proxy-to", "h:1", "-i", "lo"}), UsageError);
  EXPECT_THROW(parse_proxy({"--proxy", "80", "--proxy-to", "h:1", "-r", "x.pcap"}), UsageError);
  EXPECT_THROW(parse_proxy({"--proxy", "80", "--proxy-to", "h:1", "--proxy-record", "x"}),
               UsageError);
  EXPECT_THROW(parse_proxy({"--proxy", "80", "--proxy-to", "h:1", "-K"}), UsageError);
  EXPECT_THROW(parse_proxy({"--proxy", "80", "--proxy-to", "h:1", "-w", "x.pcap"}), UsageError);
  EXPECT_THROW(parse_proxy({"--proxy", "80", "--proxy-to", "h:1", "-S", "proxy_buffer=0"}),
               UsageError);
}

}  // namespace
}  // namespace tcpflow::app
