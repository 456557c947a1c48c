// --netviz-from reads report.xml as our writer leaves it: attributes at
// their default are absent (src/report/FORMAT.md, "Left out when default"),
// and the reader must come back with the same facts as when they are written.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "netviz/report_reader.h"
#include "netviz/traffic_stats.h"
#include "report/dfxml_writer.h"
#include "report_test_support.h"

namespace tcpflow::netviz {
namespace {

namespace rt = report::testing;

flow::FlowInfo short_flow(uint64_t connection_id, uint16_t client_port) {
  flow::FlowInfo info;
  info.src = rt::ipv4(10, 0, 0, 1);
  info.dst = rt::ipv4(10, 0, 0, 2);
  info.src_port = client_port;
  info.dst_port = 80;
  info.connection_id = connection_id;
  info.flow_id = connection_id - 1;
  info.is_client = true;
  info.direction_known = true;
  info.first_ts = {1714564800, 0};
  info.last_ts = {1714564803, 0};
  info.packets = 3;
  info.input_files = {"in.pcap"};
  info.filename = "f" + std::to_string(connection_id);
  info.file_size = 100;
  info.close_reason = flow::CloseReason::kFin;
  info.reassembly.segments = 1;
  info.reassembly.payload_bytes = 100;
  return info;
}

void read_back(const std::vector<flow::FlowInfo>& flows, TrafficStats& stats) {
  rt::TempDir dir;
  std::string path = dir.file("report.xml");
  {
    report::DfxmlWriter writer(path, rt::sample_context());
    writer.add_source({"in.pcap", 1, ""});
    for (const flow::FlowInfo& info : flows) writer.write_fileobject(info);
    writer.finish(report::RunSummary{});
  }
  RunFacts facts;
  read_report(path, stats, facts);
  EXPECT_EQ(facts.inputs, std::vector<std::string>{"in.pcap"});
}

TEST(NetvizReportDefaults, AbsentEndTimeAndBytesAreTheMtimeAndFilesize) {
  TrafficStats stats;
  read_back({short_flow(1, 40000)}, stats);
  EXPECT_EQ(stats.first_ts(), (Timestamp{1714564800, 0}));
  EXPECT_EQ(stats.last_ts(), (Timestamp{1714564803, 0}));  // end_time left out: the <mtime>
  EXPECT_EQ(stats.port(80).bytes, 100u);                     // bytes left out: the <filesize>
  EXPECT_EQ(stats.retransmitted_bytes(), 0u);
  EXPECT_EQ(stats.gaps(), 0u);
}

TEST(NetvizReportDefaults, WrittenValuesAreReadBack) {
  flow::FlowInfo odd = short_flow(2, 40001);
  odd.reassembly.payload_bytes = 130;  // bytes != filesize: written
  odd.reassembly.duplicate_bytes = 30;
  odd.reassembly.gaps = {{10, 5}, {50, 5}};
  odd.reassembly.conflict_count = 1;
  TrafficStats stats;
  read_back({short_flow(1, 40000), odd}, stats);
  EXPECT_EQ(stats.port(80).bytes, 200u);  // 100 + (130 - 30 duplicates)
  EXPECT_EQ(stats.retransmitted_bytes(), 30u);
  EXPECT_EQ(stats.gaps(), 2u);
}

}  // namespace
}  // namespace tcpflow::netviz
