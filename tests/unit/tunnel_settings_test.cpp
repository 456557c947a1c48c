// -S decode_tunnels and the *_ports settings reach the decoder's TunnelConfig.
#include <gtest/gtest.h>

#include "app/settings.h"
#include "app/tunnel_settings.h"
#include "util/error.h"

namespace tcpflow::app {
namespace {

using decode::TunnelKind;

TEST(TunnelSettings, DefaultsDecodeWithNoExtraPorts) {
  Config c;
  EXPECT_TRUE(c.tunnels.enabled);
  EXPECT_TRUE(c.tunnels.extra_udp_ports.empty());
  apply_setting("decode_tunnels", "NO", c);
  EXPECT_FALSE(c.tunnels.enabled);
  apply_setting("decode_tunnels", "yes", c);
  EXPECT_TRUE(c.tunnels.enabled);
}

TEST(TunnelSettings, PortListsAddUp) {
  Config c;
  apply_setting("vxlan_ports", "4790,10000", c);
  apply_setting("geneve_ports", "7000", c);
  apply_setting("gtpu_ports", "", c);
  apply_setting("gtpu_ports", "2123", c);
  const std::vector<std::pair<uint16_t, TunnelKind>> want = {
      {4790, TunnelKind::kVxlan}, {10000, TunnelKind::kVxlan}, {7000, TunnelKind::kGeneve},
      {2123, TunnelKind::kGtpu}};
  EXPECT_EQ(c.tunnels.extra_udp_ports, want);
}

TEST(TunnelSettings, BadPortsAreUsageErrors) {
  for (const char* bad : {"0", "65536", "12,", ",12", "x", "1 2", "-5", "4789;1"}) {
    Config c;
    EXPECT_THROW(apply_setting("vxlan_ports", bad, c), UsageError) << bad;
  }
  Config c;
  try {
    add_tunnel_ports(c.tunnels, TunnelKind::kGtpu, "gtpu_ports", "99999");
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("gtpu_ports"), std::string::npos);
  }
}

}  // namespace
}  // namespace tcpflow::app
