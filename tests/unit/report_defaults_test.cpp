// report.xml leaves out the <tcpflow:flow> attributes that hold their
// default (FORMAT.md, "Left out when default"). These tests fail when a
// default value is written, and check that every other value still is.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <functional>
#include <string>
#include <vector>

#include "report/dfxml_writer.h"
#include "report_test_support.h"

namespace tcpflow::report {
namespace {

using tinyxml2::XMLElement;
using testing::TempDir;

// A short flow with every fact at its default: IPv4, closed by FIN, no
// gaps, duplicates or bad checksums, as many bytes seen as the file holds,
// read from one input.
flow::FlowInfo plain_flow() {
  flow::FlowInfo info;
  info.src = testing::ipv4(10, 0, 0, 1);
  info.dst = testing::ipv4(10, 0, 0, 2);
  info.src_port = 40000;
  info.dst_port = 80;
  info.connection_id = 1;
  info.flow_id = 0;
  info.is_client = true;
  info.direction_known = true;
  info.first_ts = {1714564800, 0};
  info.last_ts = {1714564801, 500000000};
  info.packets = 4;
  info.first_packet_number = 1;
  info.last_packet_number = 7;
  info.input_files = {"in.pcap"};
  info.filename = "010.000.000.001.40000-010.000.000.002.00080";
  info.file_size = 100;
  info.close_reason = flow::CloseReason::kFin;
  info.reassembly.segments = 1;
  info.reassembly.payload_bytes = 100;
  return info;
}

// Writes `flows` to a report whose <source> lists `sources`; `late` is
// added after the first flow, so the summary lists it as a late source.
class WrittenReport {
 public:
  WrittenReport(const std::vector<flow::FlowInfo>& flows, const std::vector<std::string>& sources,
                const std::string& late = "") {
    std::string path = dir_.file("report.xml");
    {
      DfxmlWriter writer(path, testing::sample_context());
      for (const std::string& source : sources) writer.add_source({source, 1, ""});
      for (size_t i = 0; i < flows.size(); ++i) {
        writer.write_fileobject(flows[i]);
        if (i == 0 && !late.empty()) writer.add_source({late, 1, ""});
      }
      writer.finish(RunSummary{});
      EXPECT_TRUE(writer.ok()) << writer.error();
    }
    EXPECT_EQ(doc_.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS) << doc_.ErrorStr();
    for (const XMLElement* e = doc_.RootElement()->FirstChildElement("fileobject"); e;
         e = e->NextSiblingElement("fileobject")) {
      fileobjects_.push_back(e);
    }
    EXPECT_EQ(fileobjects_.size(), flows.size());
  }

  const XMLElement* fileobject(size_t i) const { return fileobjects_.at(i); }
  const XMLElement* flow(size_t i) const {
    return fileobject(i)->FirstChildElement("tcpflow:flow");
  }
  std::vector<std::string> attribute_names(size_t i) const {
    std::vector<std::string> names;
    for (const auto* a = flow(i)->FirstAttribute(); a; a = a->Next()) names.push_back(a->Name());
    return names;
  }
  std::string attribute(size_t i, const char* name) const {
    const char* value = flow(i)->Attribute(name);
    return value ? value : "<absent>";
  }
  std::vector<std::string> inputs(size_t i) const {
    std::vector<std::string> names;
    for (const XMLElement* e = flow(i)->FirstChildElement("tcpflow:input"); e;
         e = e->NextSiblingElement("tcpflow:input")) {
      names.push_back(e->GetText() ? e->GetText() : "");
    }
    return names;
  }
  std::string leaf(size_t i, const char* name) const {
    const XMLElement* e = fileobject(i)->FirstChildElement(name);
    return e && e->GetText() ? e->GetText() : "<absent>";
  }

 private:
  TempDir dir_;
  tinyxml2::XMLDocument doc_;
  std::vector<const XMLElement*> fileobjects_;
};

TEST(ReportDefaults, PlainFlowWritesNoDefaultValue) {
  WrittenReport report({plain_flow()}, {"in.pcap"});
  EXPECT_EQ(report.attribute_names(0),
            (std::vector<std::string>{"src_ip", "src_port", "dst_ip", "dst_port", "direction",
                                      "connection_id", "start_time", "packets", "first_packet",
                                      "last_packet", "segments"}));
  EXPECT_TRUE(report.inputs(0).empty());
  EXPECT_EQ(report.flow(0)->FirstChildElement(), nullptr);  // an empty element
}

TEST(ReportDefaults, FlowIdAndEndTimeAreTheFileobjectsIdAndMtime) {
  flow::FlowInfo info = plain_flow();
  info.flow_id = 7;
  info.last_ts = {1714564802, 5};
  WrittenReport report({info}, {"in.pcap"});
  EXPECT_EQ(report.leaf(0, "id"), "7");
  EXPECT_EQ(report.leaf(0, "mtime"), "2024-05-01T12:00:02.000000005Z");
  EXPECT_EQ(report.attribute(0, "flow_id"), "<absent>");
  EXPECT_EQ(report.attribute(0, "end_time"), "<absent>");
}

TEST(ReportDefaults, EveryOtherValueIsWritten) {
  struct Case {
    const char* attribute;
    std::function<void(flow::FlowInfo&)> change;
    const char* written;
  };
  const std::vector<Case> cases = {
      {"family", [](flow::FlowInfo& f) {
         f.src = testing::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
         f.dst = testing::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
       }, "ipv6"},
      {"connection_count", [](flow::FlowInfo& f) { f.connection_count = 2; }, "2"},
      {"close_reason", [](flow::FlowInfo& f) { f.close_reason = flow::CloseReason::kRst; }, "rst"},
      {"close_reason", [](flow::FlowInfo& f) { f.close_reason = flow::CloseReason::kOpen; },
       "open"},
      {"bytes", [](flow::FlowInfo& f) { f.reassembly.payload_bytes = 130; }, "130"},
      {"bytes", [](flow::FlowInfo& f) { f.reassembly.payload_bytes = 0; }, "0"},
      {"gap_count", [](flow::FlowInfo& f) { f.reassembly.gaps = {{10, 5}}; }, "1"},
      {"gap_bytes", [](flow::FlowInfo& f) { f.reassembly.gaps = {{10, 5}}; }, "5"},
      {"duplicate_bytes", [](flow::FlowInfo& f) { f.reassembly.duplicate_bytes = 3; }, "3"},
      {"conflict_count", [](flow::FlowInfo& f) { f.reassembly.conflict_count = 1; }, "1"},
      {"conflict_bytes", [](flow::FlowInfo& f) { f.reassembly.conflict_bytes = 4; }, "4"},
      {"bad_checksum_segments", [](flow::FlowInfo& f) { f.reassembly.bad_checksum_segments = 5; },
       "5"},
      {"bad_ip_checksum_segments",
       [](flow::FlowInfo& f) { f.reassembly.bad_ip_checksum_segments = 6; }, "6"},
      {"bad_checksum_replaced", [](flow::FlowInfo& f) { f.reassembly.bad_checksum_replaced = 7; },
       "7"},
      {"before_start_segments", [](flow::FlowInfo& f) { f.reassembly.before_start_segments = 8; },
       "8"},
      {"capped_bytes", [](flow::FlowInfo& f) { f.reassembly.capped_bytes = 9; }, "9"},
      {"spilled_blocks", [](flow::FlowInfo& f) { f.reassembly.spilled_blocks = 10; }, "10"},
  };
  for (const Case& c : cases) {
    flow::FlowInfo info = plain_flow();
    c.change(info);
    WrittenReport report({info}, {"in.pcap"});
    EXPECT_EQ(report.attribute(0, c.attribute), c.written) << c.attribute;
  }
}

TEST(ReportDefaults, InputsAreLeftOutOnlyForTheSingleSource) {
  flow::FlowInfo two_inputs = plain_flow();
  two_inputs.input_files = {"in.pcap", "b.pcap"};
  flow::FlowInfo other = plain_flow();
  other.input_files = {"late.pcap"};
  flow::FlowInfo none = plain_flow();
  none.input_files = {};
  {
    WrittenReport one({plain_flow(), two_inputs, other}, {"in.pcap"}, "late.pcap");
    EXPECT_TRUE(one.inputs(0).empty());
    EXPECT_EQ(one.inputs(1), (std::vector<std::string>{"in.pcap", "b.pcap"}));
    EXPECT_EQ(one.inputs(2), std::vector<std::string>{"late.pcap"});
  }
  {
    WrittenReport two({plain_flow()}, {"in.pcap", "b.pcap"});
    EXPECT_EQ(two.inputs(0), std::vector<std::string>{"in.pcap"});
  }
  {
    // A live capture has no <source>: the interface is the flow's input.
    flow::FlowInfo live = plain_flow();
    live.input_files = {"eth0"};
    WrittenReport no_source({live, none}, {});
    EXPECT_EQ(no_source.inputs(0), std::vector<std::string>{"eth0"});
    EXPECT_TRUE(no_source.inputs(1).empty());
  }
}

}  // namespace
}  // namespace tcpflow::report
