// File names of tunnelled flows: %W, and the default template's rule that a
// name taken by another tunnel gets "--<tunnel>" instead of a count.
#include <gtest/gtest.h>

#include <unistd.h>

#include "output/file_namer.h"
#include "output/filename_template.h"

namespace tcpflow::output {
namespace {

decode::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress x;
  x.family = 4;
  x.bytes[0] = a, x.bytes[1] = b, x.bytes[2] = c, x.bytes[3] = d;
  return x;
}

decode::TunnelLayer layer(decode::TunnelKind kind, uint32_t id, decode::IpAddress src,
                          decode::IpAddress dst, bool has_id = true) {
  decode::TunnelLayer l;
  l.kind = kind;
  l.has_id = has_id;
  l.id = id;
  l.outer_src = src;
  l.outer_dst = dst;
  return l;
}

flow::FlowInfo flow_in(std::vector<decode::TunnelLayer> tunnels) {
  flow::FlowInfo info;
  info.src = v4(10, 0, 0, 1);
  info.dst = v4(10, 0, 0, 2);
  info.src_port = 40000;
  info.dst_port = 80;
  info.tunnels = std::move(tunnels);
  return info;
}

constexpr const char* kDefault = "%A.%a-%B.%b%V%v%C%c";
const std::string kBase = "010.000.000.001.40000-010.000.000.002.00080";

TEST(TunnelNaming, PercentURendersTheInnermostTunnel) {
  auto t = FilenameTemplate::parse("%W");
  EXPECT_TRUE(t.has_tunnel_code());
  EXPECT_EQ(t.render(flow_in({})), "");
  const auto gre = layer(decode::TunnelKind::kGre, 7, v4(172, 16, 0, 1), v4(172, 16, 0, 2));
  const auto vx = layer(decode::TunnelKind::kVxlan, 100, v4(192, 0, 2, 1), v4(192, 0, 2, 2));
  EXPECT_EQ(t.render(flow_in({gre, vx})), "vxlan100_192.0.2.1-192.0.2.2");
  const auto sit = layer(decode::TunnelKind::kIp6InIp, 0, v4(1, 2, 3, 4), v4(5, 6, 7, 8), false);
  EXPECT_EQ(t.render(flow_in({sit})), "6in4_1.2.3.4-5.6.7.8");
}

TEST(TunnelNaming, DefaultTemplateAddsTheTunnelOnlyOnACollision) {
  FileNamer namer(".", FilenameTemplate::parse(kDefault));
  const auto a = layer(decode::TunnelKind::kVxlan, 100, v4(192, 0, 2, 1), v4(192, 0, 2, 2));
  const auto b = layer(decode::TunnelKind::kVxlan, 200, v4(192, 0, 2, 1), v4(192, 0, 2, 2));
  auto first = flow_in({a});
  EXPECT_EQ(namer.assign(first), kBase);
  auto other_tenant = flow_in({b});
  EXPECT_EQ(namer.assign(other_tenant), kBase + "--vxlan200_192.0.2.1-192.0.2.2");
  // The same tunnel reusing the 4-tuple keeps tcpflow's count, also in the
  // other direction's outer order (the tunnel identity is symmetric).
  auto again = flow_in({layer(decode::TunnelKind::kVxlan, 100, v4(192, 0, 2, 2), v4(192, 0, 2, 1))});
  EXPECT_EQ(namer.assign(again), kBase + "c1");
  auto other_again = flow_in({b});
  EXPECT_EQ(namer.assign(other_again), kBase + "--vxlan200_192.0.2.1-192.0.2.2c1");
  // A flow outside any tunnel has no tag to add: it gets the count.
  auto plain = flow_in({});
  EXPECT_EQ(namer.assign(plain), kBase + "c2");
}

TEST(TunnelNaming, AFlowOutsideTunnelsFirstMakesTheTunnelledOneTagged) {
  FileNamer namer(".", FilenameTemplate::parse(kDefault));
  auto plain = flow_in({});
  EXPECT_EQ(namer.assign(plain), kBase);
  auto tunnelled = flow_in({layer(decode::TunnelKind::kGtpu, 32, v4(1, 1, 1, 1), v4(2, 2, 2, 2))});
  EXPECT_EQ(namer.assign(tunnelled), kBase + "--gtpu32_1.1.1.1-2.2.2.2");
}

TEST(TunnelNaming, TemplatesWithPercentUOrAnotherEndingKeepTheCount) {
  const auto a = layer(decode::TunnelKind::kVxlan, 1, v4(1, 1, 1, 1), v4(2, 2, 2, 2));
  const auto b = layer(decode::TunnelKind::kVxlan, 2, v4(1, 1, 1, 1), v4(2, 2, 2, 2));
  FileNamer with_u(".", FilenameTemplate::parse("%A-%B_%W%C%c"));
  auto x = flow_in({a}), y = flow_in({b});
  EXPECT_EQ(with_u.assign(x), "010.000.000.001-010.000.000.002_vxlan1_1.1.1.1-2.2.2.2");
  EXPECT_EQ(with_u.assign(y), "010.000.000.001-010.000.000.002_vxlan2_1.1.1.1-2.2.2.2");
  FileNamer custom(".", FilenameTemplate::parse("%A-%B%c.txt"));
  auto p = flow_in({a}), q = flow_in({b});
  EXPECT_EQ(custom.assign(p), "010.000.000.001-010.000.000.002.txt");
  EXPECT_EQ(custom.assign(q), "010.000.000.001-010.000.000.0021.txt");
}

}  // namespace
}  // namespace tcpflow::output
