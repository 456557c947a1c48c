// Connection records in flows.jsonl and report.xml (connection_format.h).
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "report/connection_format.h"
#include "report/dfxml_writer.h"
#include "report/jsonl_writer.h"
#include "report_test_support.h"

namespace tcpflow::report {
namespace {

using testing::TempDir;

flow::ConnectionRecord sample_rejected() {
  flow::ConnectionRecord r;
  r.connection_id = 7;
  r.orig_ip = testing::ipv4(10, 0, 0, 1);
  r.resp_ip = testing::ipv4(10, 0, 0, 2);
  r.orig_port = 40000;
  r.resp_port = 81;
  r.start = {1714564800, 250000000};
  r.end = {1714564801, 0};
  r.state = flow::ConnState::kREJ;
  r.history = "Sr";
  r.orig_packets = 1;
  r.resp_packets = 1;
  r.close_reason = flow::CloseReason::kRst;
  return r;
}

flow::ConnectionRecord sample_v6_vlan() {
  flow::ConnectionRecord r;
  r.connection_id = 8;
  r.orig_ip = testing::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01});
  r.resp_ip = testing::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02});
  r.orig_port = 51001;
  r.resp_port = 443;
  r.vlan = 100;
  r.start = {1714564802, 123456789};
  r.end = {1714564803, 5};
  r.state = flow::ConnState::kSF;
  r.history = "ShADadFf";
  r.orig_packets = 6;
  r.orig_bytes = 300;
  r.resp_packets = 5;
  r.resp_bytes = 1200;
  r.flow_files = 2;
  r.close_reason = flow::CloseReason::kFin;
  return r;
}

TEST(ConnectionFormat, DurationBorrowsAndNeverGoesNegative) {
  flow::ConnectionRecord r = sample_v6_vlan();
  Timestamp d = connection_duration(r);
  EXPECT_EQ(0, d.sec);
  EXPECT_EQ(876543216u, d.nsec);
  std::swap(r.start, r.end);
  EXPECT_TRUE(connection_duration(r).is_zero());
}

TEST(ConnectionFormat, JsonLineIsExact) {
  EXPECT_EQ(connection_json(sample_rejected()),
            R"({"record":"connection","connection_id":7,"family":"ipv4",)"
            R"("orig_ip":"10.0.0.1","orig_port":40000,"resp_ip":"10.0.0.2","resp_port":81,)"
            R"("vlan":null,"start_time":"2024-05-01T12:00:00.250000Z",)"
            R"("end_time":"2024-05-01T12:00:01.000000Z","start_epoch":1714564800.250000,)"
            R"("end_epoch":1714564801.000000,"duration":0.750000,"state":"REJ","history":"Sr",)"
            R"("orig_packets":1,"orig_bytes":0,"resp_packets":1,"resp_bytes":0,)"
            R"("flow_files":0,"close_reason":"rst"})");
}

TEST(ConnectionFormat, JsonlWriterInterleavesConnectionLines) {
  TempDir dir;
  {
    JsonlWriter writer(dir.file("flows.jsonl"));
    writer.write(testing::sample_flows()[0]);
    writer.write_connection(sample_v6_vlan());
    EXPECT_TRUE(writer.ok());
  }
  auto lines = testing::read_lines(dir.file("flows.jsonl"));
  ASSERT_EQ(2u, lines.size());
  EXPECT_EQ(std::string::npos, lines[0].find("\"record\""));
  EXPECT_EQ(connection_json(sample_v6_vlan()), lines[1]);
  EXPECT_NE(std::string::npos, lines[1].find(R"("vlan":100,)"));
  EXPECT_NE(std::string::npos, lines[1].find(R"("duration":0.876543216,)"));
}

TEST(ConnectionFormat, ReportListsConnectionsAfterRusageAndCountsThem) {
  TempDir dir;
  std::string path = dir.file("report.xml");
  {
    DfxmlWriter writer(path, testing::sample_context());
    writer.write_fileobject(testing::sample_flows()[0]);
    writer.write_connection(sample_rejected());
    writer.write_fileobject(testing::sample_flows()[1]);
    writer.write_connection(sample_v6_vlan());
    writer.finish(RunSummary{});
    EXPECT_TRUE(writer.ok());
    EXPECT_EQ(2u, writer.connections_written());
  }
  // The spool file is gone from the report's directory.
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(1u, entries);

  tinyxml2::XMLDocument doc;
  ASSERT_EQ(tinyxml2::XML_SUCCESS, doc.LoadFile(path.c_str()));
  const tinyxml2::XMLElement* root = doc.RootElement();
  std::vector<std::string> order;
  for (auto* e = root->FirstChildElement(); e; e = e->NextSiblingElement()) {
    order.push_back(e->Name());
  }
  ASSERT_GE(order.size(), 5u);
  EXPECT_EQ("rusage", order[order.size() - 4]);
  EXPECT_EQ("tcpflow:connection", order[order.size() - 3]);
  EXPECT_EQ("tcpflow:connection", order[order.size() - 2]);
  EXPECT_EQ("tcpflow:summary", order.back());

  const tinyxml2::XMLElement* rej = root->FirstChildElement("tcpflow:connection");
  EXPECT_STREQ("7", rej->Attribute("connection_id"));
  EXPECT_STREQ("REJ", rej->Attribute("state"));
  EXPECT_STREQ("Sr", rej->Attribute("history"));
  EXPECT_STREQ("10.0.0.1", rej->Attribute("orig_ip"));
  EXPECT_STREQ("40000", rej->Attribute("orig_port"));
  EXPECT_STREQ("0.750000", rej->Attribute("duration"));
  EXPECT_EQ(nullptr, rej->Attribute("vlan"));
  const tinyxml2::XMLElement* sf = rej->NextSiblingElement("tcpflow:connection");
  EXPECT_STREQ("2001:db8::1", sf->Attribute("orig_ip"));
  EXPECT_STREQ("100", sf->Attribute("vlan"));
  EXPECT_STREQ("1200", sf->Attribute("resp_bytes"));
  EXPECT_STREQ("2", sf->Attribute("flow_files"));
  EXPECT_STREQ("2024-05-01T12:00:02.123456789Z", sf->Attribute("start_time"));
  EXPECT_STREQ("2", root->FirstChildElement("tcpflow:summary")->Attribute("connection_records"));
}

TEST(ConnectionFormat, UnfinishedReportStillCarriesTheConnections) {
  TempDir dir;
  std::string path = dir.file("report.xml");
  {
    DfxmlWriter writer(path, testing::sample_context());
    writer.write_connection(sample_rejected());
  }
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(tinyxml2::XML_SUCCESS, doc.LoadFile(path.c_str()));
  const tinyxml2::XMLElement* root = doc.RootElement();
  ASSERT_NE(nullptr, root->FirstChildElement("tcpflow:connection"));
  const tinyxml2::XMLElement* summary = root->FirstChildElement("tcpflow:summary");
  EXPECT_STREQ("incomplete", summary->Attribute("status"));
  EXPECT_STREQ("1", summary->Attribute("connection_records"));
}

}  // namespace
}  // namespace tcpflow::report
