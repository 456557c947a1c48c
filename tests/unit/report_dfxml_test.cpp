// Writes report.xml from the sample flows and reads it back with tinyxml2,
// checking every value the writer is responsible for.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <string>
#include <vector>

#include "report/dfxml_writer.h"
#include "report_test_support.h"
#include "util/error.h"

namespace tcpflow::report {
namespace {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;
using testing::kHostileNameEscaped;
using testing::TempDir;

std::string text_of(const XMLElement* parent, const char* child) {
  const XMLElement* e = parent ? parent->FirstChildElement(child) : nullptr;
  return e && e->GetText() ? e->GetText() : "";
}

std::string attr(const XMLElement* e, const char* name) {
  const char* value = e ? e->Attribute(name) : nullptr;
  return value ? value : "<absent>";
}

std::vector<const XMLElement*> children(const XMLElement* parent, const char* name) {
  std::vector<const XMLElement*> out;
  for (const XMLElement* e = parent->FirstChildElement(name); e; e = e->NextSiblingElement(name)) {
    out.push_back(e);
  }
  return out;
}

class DfxmlReport : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    path_ = dir_.file("report.xml");
    {
      DfxmlWriter writer(path_, testing::sample_context());
      writer.add_source({"in.pcap", 123456, std::string(64, 'a')});
      writer.add_source({"second.pcap", 7, ""});
      auto flows = testing::sample_flows();
      writer.write_fileobject(flows[0], testing::sample_extra());
      for (size_t i = 1; i < flows.size(); ++i) writer.write_fileobject(flows[i]);
      RunSummary summary;
      summary.stats.add(Counter::kPacketsRead, 15);
      summary.stats.add(Counter::kBytesRead, 4000);
      summary.stats.add(Counter::kFlowsCreated, 4);
      summary.stats.add(Counter::kConnectionsCreated, 3);
      summary.stats.add(Counter::kGaps, 2);
      summary.elapsed_seconds = 2.5;
      summary.stop_reason = "end_of_input";
      summary.values = {{"max_held_bytes", "268435456"}};
      writer.finish(summary);
      EXPECT_TRUE(writer.ok()) << writer.error();
      EXPECT_EQ(writer.fileobjects_written(), 4u);
    }
    ASSERT_EQ(doc_.LoadFile(path_.c_str()), tinyxml2::XML_SUCCESS) << doc_.ErrorStr();
    root_ = doc_.RootElement();
    ASSERT_NE(root_, nullptr);
    fileobjects_ = children(root_, "fileobject");
    ASSERT_EQ(fileobjects_.size(), 4u);
  }

  const XMLElement* flow_of(size_t i) { return fileobjects_[i]->FirstChildElement("tcpflow:flow"); }

  TempDir dir_;
  std::string path_;
  XMLDocument doc_;
  const XMLElement* root_ = nullptr;
  std::vector<const XMLElement*> fileobjects_;
};

TEST_F(DfxmlReport, RootDeclaresTheNamespacesAndSchemaVersion) {
  EXPECT_STREQ(root_->Name(), "dfxml");
  EXPECT_EQ(attr(root_, "xmlns"), kDfxmlNamespace);
  EXPECT_EQ(attr(root_, "xmlns:dc"), kDublinCoreNamespace);
  EXPECT_EQ(attr(root_, "xmlns:tcpflow"), "http://tcpflow.org/dfxml/2");
  EXPECT_EQ(attr(root_, "version"), "2.0.0-beta.0");
  // The schema's order: metadata, creator, source, fileobjects, rusage, then ours.
  std::vector<std::string> order;
  for (const XMLElement* e = root_->FirstChildElement(); e; e = e->NextSiblingElement()) {
    if (order.empty() || order.back() != e->Name()) order.push_back(e->Name());
  }
  EXPECT_EQ(order, (std::vector<std::string>{"metadata", "creator", "source", "fileobject",
                                             "rusage", "tcpflow:summary"}));
}

TEST_F(DfxmlReport, MetadataCarriesTheConfiguration) {
  const XMLElement* metadata = root_->FirstChildElement("metadata");
  EXPECT_EQ(text_of(metadata, "dc:type"), "Feature Extraction");
  auto settings = children(metadata->FirstChildElement("tcpflow:configuration"), "tcpflow:setting");
  ASSERT_EQ(settings.size(), 3u);
  EXPECT_EQ(attr(settings[0], "name"), "outdir");
  EXPECT_EQ(attr(settings[0], "value"), "out");
  EXPECT_EQ(attr(settings[1], "name"), "max_seek");
  EXPECT_EQ(attr(settings[1], "value"), "16777216");
  EXPECT_EQ(attr(settings[2], "value"), kHostileNameEscaped);
}

TEST_F(DfxmlReport, CreatorRecordsBuildAndExecutionEnvironment) {
  const XMLElement* creator = root_->FirstChildElement("creator");
  EXPECT_EQ(text_of(creator, "program"), "tcpflow");
  EXPECT_EQ(text_of(creator, "version"), "2.0.0");
  const XMLElement* build = creator->FirstChildElement("build_environment");
  EXPECT_EQ(attr(build, "tcpflow:flags"), "-O2 -g");
  EXPECT_EQ(text_of(build, "compiler"), "GCC 12.2.0");
  EXPECT_EQ(text_of(build, "compilation_date"), "2024-04-30T08:00:00");
  auto built_with = children(build, "library");
  ASSERT_EQ(built_with.size(), 2u);
  EXPECT_EQ(attr(built_with[1], "name"), "tinyxml2");
  EXPECT_EQ(attr(built_with[1], "version"), "9.0.0");
  const XMLElement* exec = creator->FirstChildElement("execution_environment");
  EXPECT_EQ(text_of(exec, "os_sysname"), "Linux");
  EXPECT_EQ(text_of(exec, "os_release"), "6.1.0");
  EXPECT_EQ(text_of(exec, "os_version"), "#1 SMP");
  EXPECT_EQ(text_of(exec, "host"), "sensor-1");
  EXPECT_EQ(text_of(exec, "arch"), "x86_64");
  EXPECT_EQ(text_of(exec, "command_line"),
            "tcpflow -r in.pcap -o out -S jsonl=flows.jsonl 'port 80'");
  EXPECT_EQ(text_of(exec, "uid"), "1000");
  EXPECT_EQ(text_of(exec, "username"), "analyst");
  EXPECT_EQ(text_of(exec, "start_time"), "2024-05-01T12:00:00Z");
  auto running_with = children(creator, "library");
  ASSERT_EQ(running_with.size(), 2u);
  EXPECT_EQ(attr(running_with[0], "name"), "libpcap");
  EXPECT_EQ(attr(running_with[0], "version"), "libpcap version 1.10.3");
}

TEST_F(DfxmlReport, SourcesListEveryInput) {
  auto images = children(root_->FirstChildElement("source"), "image_filename");
  ASSERT_EQ(images.size(), 2u);
  EXPECT_STREQ(images[0]->GetText(), "in.pcap");
  EXPECT_EQ(attr(images[0], "tcpflow:size"), "123456");
  EXPECT_EQ(attr(images[0], "tcpflow:sha256"), std::string(64, 'a'));
  EXPECT_STREQ(images[1]->GetText(), "second.pcap");
  EXPECT_EQ(attr(images[1], "tcpflow:sha256"), "<absent>");
}

TEST_F(DfxmlReport, Ipv4ClientFlowWithVlanMacsAndHash) {
  const XMLElement* fo = fileobjects_[0];
  EXPECT_EQ(text_of(fo, "filename"), "192.168.000.010.51000-093.184.216.034.00080--100");
  EXPECT_EQ(text_of(fo, "id"), "0");
  EXPECT_EQ(text_of(fo, "name_type"), "r");
  EXPECT_EQ(text_of(fo, "filesize"), "420");
  EXPECT_EQ(text_of(fo, "mtime"), "2024-05-01T12:00:01.000000Z");
  EXPECT_EQ(fo->FirstChildElement("error"), nullptr);
  EXPECT_EQ(text_of(fo, "hashdigest"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(attr(fo->FirstChildElement("hashdigest"), "type"), "md5");
  auto runs = children(fo->FirstChildElement("byte_runs"), "byte_run");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(attr(runs[0], "file_offset"), "0");
  EXPECT_EQ(attr(runs[0], "len"), "420");

  // Attributes at their default are left out (FORMAT.md): family ipv4,
  // flow_id and end_time (the <id> and <mtime>), bytes equal to the
  // filesize, close_reason fin, zero counters; report_defaults_test.cpp
  // checks the rule attribute by attribute.
  const XMLElement* f = flow_of(0);
  const std::vector<std::pair<const char*, const char*>> expected = {
      {"family", "<absent>"}, {"src_ip", "192.168.0.10"}, {"src_port", "51000"},
      {"dst_ip", "93.184.216.34"}, {"dst_port", "80"}, {"vlan", "100"},
      {"src_mac", "00:11:22:aa:bb:cc"}, {"dst_mac", "66:77:88:99:0a:0b"},
      {"direction", "client"}, {"connection_id", "1"}, {"flow_id", "<absent>"},
      {"connection_count", "<absent>"}, {"start_time", "2024-05-01T12:00:00.250000Z"},
      {"end_time", "<absent>"}, {"packets", "5"}, {"first_packet", "1"},
      {"last_packet", "9"}, {"segments", "5"}, {"bytes", "<absent>"}, {"close_reason", "<absent>"},
      {"gap_count", "<absent>"}, {"gap_bytes", "<absent>"}, {"duplicate_bytes", "<absent>"},
      {"conflict_count", "<absent>"}, {"conflict_bytes", "<absent>"},
      {"bad_checksum_segments", "<absent>"}, {"bad_ip_checksum_segments", "<absent>"},
      {"bad_checksum_replaced", "<absent>"}, {"before_start_segments", "<absent>"},
      {"capped_bytes", "<absent>"}, {"spilled_blocks", "<absent>"},
      {"write_failed", "<absent>"}};
  for (const auto& [name, value] : expected) EXPECT_EQ(attr(f, name), value) << name;
  // Two <source>s: every flow lists its inputs.
  auto inputs = children(f, "tcpflow:input");
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_STREQ(inputs[0]->GetText(), "in.pcap");

  // A scanner's element lands after ours, moved into the tcpflow namespace.
  EXPECT_STREQ(f->NextSiblingElement()->Name(), "tcpflow:http");
  const XMLElement* http = fo->FirstChildElement("tcpflow:http");
  EXPECT_EQ(attr(http, "status"), "200");
  EXPECT_EQ(text_of(http, "tcpflow:content_type"), "text/html");
}

TEST_F(DfxmlReport, ServerFlowListsGapsConflictsAndByteRuns) {
  const XMLElement* f = flow_of(1);
  EXPECT_EQ(attr(f, "direction"), "server");
  EXPECT_EQ(attr(f, "src_ip"), "93.184.216.34");
  EXPECT_EQ(attr(f, "src_mac"), "66:77:88:99:0a:0b");
  EXPECT_EQ(attr(f, "close_reason"), "rst");
  EXPECT_EQ(attr(f, "bytes"), "960");
  EXPECT_EQ(attr(f, "duplicate_bytes"), "30");
  EXPECT_EQ(attr(f, "gap_count"), "2");
  EXPECT_EQ(attr(f, "gap_bytes"), "70");
  EXPECT_EQ(attr(f, "conflict_count"), "1");
  EXPECT_EQ(attr(f, "conflict_bytes"), "4");
  EXPECT_EQ(attr(f, "bad_checksum_segments"), "2");
  EXPECT_EQ(attr(f, "bad_ip_checksum_segments"), "3");
  EXPECT_EQ(attr(f, "bad_checksum_replaced"), "1");
  auto gaps = children(f, "tcpflow:gap");
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_EQ(attr(gaps[0], "offset"), "100");
  EXPECT_EQ(attr(gaps[0], "length"), "20");
  EXPECT_EQ(attr(gaps[1], "offset"), "300");
  EXPECT_EQ(attr(gaps[1], "length"), "50");
  auto conflicts = children(f, "tcpflow:conflict");
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(attr(conflicts[0], "offset"), "10");
  EXPECT_EQ(attr(conflicts[0], "length"), "4");

  // Data and zero-filled runs alternate and cover the whole file.
  auto runs = children(fileobjects_[1]->FirstChildElement("byte_runs"), "byte_run");
  std::vector<std::string> seen;
  for (const XMLElement* run : runs) {
    seen.push_back(attr(run, "file_offset") + "+" + attr(run, "len") + "/" + attr(run, "fill"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"0+100/<absent>", "100+20/0", "120+180/<absent>",
                                            "300+50/0", "350+650/<absent>"}));
}

TEST_F(DfxmlReport, Ipv6FlowWithHostileNamesAndWriteError) {
  const XMLElement* fo = fileobjects_[2];
  EXPECT_EQ(text_of(fo, "filename"), kHostileNameEscaped);
  EXPECT_EQ(text_of(fo, "error"), "No space left on device");
  EXPECT_EQ(text_of(fo, "mtime"), "2024-05-01T12:00:03.000000005Z");
  EXPECT_EQ(fo->FirstChildElement("hashdigest"), nullptr);
  const XMLElement* f = flow_of(2);
  EXPECT_EQ(attr(f, "family"), "ipv6");
  EXPECT_EQ(attr(f, "src_ip"), "2001:db8::1");
  EXPECT_EQ(attr(f, "dst_ip"), "2001:db8::2");
  EXPECT_EQ(attr(f, "vlan"), "<absent>");
  EXPECT_EQ(attr(f, "src_mac"), "<absent>");
  EXPECT_EQ(attr(f, "direction"), "unknown");
  EXPECT_EQ(attr(f, "connection_count"), "1");
  EXPECT_EQ(attr(f, "start_time"), "2024-05-01T12:00:02.123456789Z");
  EXPECT_EQ(attr(f, "end_time"), "<absent>");  // the <mtime> above
  EXPECT_EQ(attr(f, "close_reason"), "timeout");
  EXPECT_EQ(attr(f, "capped_bytes"), "7");
  EXPECT_EQ(attr(f, "before_start_segments"), "1");
  EXPECT_EQ(attr(f, "spilled_blocks"), "2");
  EXPECT_EQ(attr(f, "write_failed"), "1");
  auto inputs = children(f, "tcpflow:input");
  ASSERT_EQ(inputs.size(), 2u);
  EXPECT_EQ(std::string(inputs[1]->GetText()), "second " + kHostileNameEscaped + ".pcap");
}

TEST_F(DfxmlReport, FlowWithoutFileHasNoFilenameOrRuns) {
  const XMLElement* fo = fileobjects_[3];
  EXPECT_EQ(fo->FirstChildElement("filename"), nullptr);
  EXPECT_EQ(fo->FirstChildElement("name_type"), nullptr);
  EXPECT_EQ(fo->FirstChildElement("byte_runs"), nullptr);
  EXPECT_EQ(text_of(fo, "filesize"), "0");
  EXPECT_EQ(attr(flow_of(3), "close_reason"), "end_of_input");
}

TEST_F(DfxmlReport, SummaryPrintsEveryCounterAndRusage) {
  const XMLElement* rusage = root_->FirstChildElement("rusage");
  ASSERT_NE(rusage, nullptr);
  std::vector<std::string> fields;
  for (const XMLElement* e = rusage->FirstChildElement(); e; e = e->NextSiblingElement()) {
    fields.push_back(e->Name());
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"utime", "stime", "maxrss", "minflt", "majflt",
                                              "nswap", "inblock", "oublock", "clocktime"}));
  EXPECT_EQ(text_of(rusage, "clocktime"), "2.500000");

  const XMLElement* summary = root_->FirstChildElement("tcpflow:summary");
  EXPECT_EQ(attr(summary, "status"), "complete");
  EXPECT_EQ(attr(summary, "stop_reason"), "end_of_input");
  EXPECT_EQ(attr(summary, "packets_read"), "15");
  EXPECT_EQ(attr(summary, "bytes_read"), "4000");
  EXPECT_EQ(attr(summary, "flows"), "4");
  EXPECT_EQ(attr(summary, "connections"), "3");
  EXPECT_EQ(attr(summary, "fileobjects"), "4");
  EXPECT_EQ(attr(summary, "elapsed_seconds"), "2.500000");
  auto counters = children(summary, "tcpflow:counter");
  ASSERT_EQ(counters.size(), kCounterCount);
  for (size_t i = 0; i < kCounterCount; ++i) {
    Counter c = static_cast<Counter>(i);
    EXPECT_EQ(attr(counters[i], "name"), std::string(counter_name(c)));
    EXPECT_EQ(attr(counters[i], "description"), std::string(counter_description(c)));
  }
  EXPECT_EQ(attr(counters[static_cast<size_t>(Counter::kGaps)], "value"), "2");
  EXPECT_EQ(attr(counters[static_cast<size_t>(Counter::kSeekJumps)], "value"), "0");
  auto values = children(summary, "tcpflow:value");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(attr(values[0], "name"), "max_held_bytes");
  EXPECT_EQ(attr(values[0], "value"), "268435456");
}

TEST(DfxmlWriter, ThrowsWhenTheReportCannotBeCreated) {
  EXPECT_THROW(DfxmlWriter("/nonexistent-dir/for/tcpflow/report.xml", testing::sample_context()),
               tcpflow::Error);
}

}  // namespace
}  // namespace tcpflow::report
