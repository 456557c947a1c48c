// The encapsulation chain of a tunnelled flow in the DFXML report and the
// JSON Lines index.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include "report/dfxml_writer.h"
#include "report/jsonl_writer.h"
#include "report_test_support.h"

namespace tcpflow::report {
namespace {

using testing::TempDir;

std::vector<decode::TunnelLayer> gre_then_vxlan() {
  decode::TunnelLayer gre;
  gre.kind = decode::TunnelKind::kGre;
  gre.has_id = true;
  gre.id = 7;
  gre.outer_src = testing::ipv4(172, 16, 0, 1);
  gre.outer_dst = testing::ipv4(172, 16, 0, 2);
  decode::TunnelLayer vxlan = gre;
  vxlan.kind = decode::TunnelKind::kVxlan;
  vxlan.id = 100;
  vxlan.outer_src = testing::ipv4(192, 0, 2, 1);
  vxlan.outer_dst = testing::ipv4(192, 0, 2, 2);
  return {gre, vxlan};
}

constexpr const char* kChain =
    "gre:key=7 outer=172.16.0.1>172.16.0.2, vxlan:vni=100 outer=192.0.2.1>192.0.2.2";

TEST(TunnelReport, JsonlCarriesTheChainOrNull) {
  auto flows = testing::sample_flows();
  const std::string plain = JsonlWriter::format(flows[0], {});
  EXPECT_NE(plain.find(R"("dst_mac":"66:77:88:99:0a:0b","tunnels":null,)"), std::string::npos)
      << plain;
  flows[0].tunnels = gre_then_vxlan();
  const std::string line = JsonlWriter::format(flows[0], {});
  EXPECT_NE(line.find(std::string(R"("tunnels":")") + kChain + "\""), std::string::npos) << line;
}

TEST(TunnelReport, DfxmlFlowHasTheTunnelsAttribute) {
  TempDir dir;
  const std::string path = dir.file("report.xml");
  {
    DfxmlWriter writer(path, testing::sample_context());
    auto flows = testing::sample_flows();
    flows[0].tunnels = gre_then_vxlan();
    writer.write_fileobject(flows[0]);
    writer.write_fileobject(flows[1]);
    writer.finish(RunSummary{});
  }
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS);
  const auto* first = doc.RootElement()->FirstChildElement("fileobject");
  ASSERT_NE(first, nullptr);
  const auto* flow = first->FirstChildElement("tcpflow:flow");
  ASSERT_NE(flow, nullptr);
  ASSERT_NE(flow->Attribute("tunnels"), nullptr);
  EXPECT_STREQ(flow->Attribute("tunnels"), kChain);
  const auto* second = first->NextSiblingElement("fileobject")->FirstChildElement("tcpflow:flow");
  EXPECT_EQ(second->Attribute("tunnels"), nullptr);
}

}  // namespace
}  // namespace tcpflow::report
