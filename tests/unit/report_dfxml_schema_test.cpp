// report.xml against the DFXML 2.0 schema (with xmllint), and the writer's
// lifecycle: early destruction, flushing, late sources, write failures.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "report/dfxml_writer.h"
#include "report_test_support.h"

namespace tcpflow::report {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// The schema lives beside the source tree in the shared workspace. Found via
// $TCPFLOW_DFXML_SCHEMA, else $srcdir/../shared/..., else relative to this
// source file; empty if none exists.
std::string find_schema() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("TCPFLOW_DFXML_SCHEMA")) candidates.emplace_back(env);
  const fs::path relative = fs::path("shared") / "dfxml-schema" / "dfxml.xsd";
  if (const char* srcdir = std::getenv("srcdir")) {
    candidates.push_back(fs::path(srcdir) / ".." / relative);
  }
  candidates.push_back(fs::path(__FILE__).parent_path() / ".." / ".." / ".." / relative);
  for (const fs::path& candidate : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return "";
}

bool have_xmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

// Skips the calling test when validation is impossible here.
#define REQUIRE_VALIDATOR(schema)                                                       \
  const std::string schema = find_schema();                                             \
  if (schema.empty() || !have_xmllint()) {                                              \
    GTEST_SKIP() << "needs xmllint and dfxml.xsd (set TCPFLOW_DFXML_SCHEMA); xmllint "  \
                 << (have_xmllint() ? "found" : "missing") << ", schema "               \
                 << (schema.empty() ? "missing" : schema);                              \
  }

::testing::AssertionResult validates(const std::string& schema, const std::string& file) {
  std::string log = file + ".xmllint";
  std::string command = "xmllint --noout --schema '" + schema + "' '" + file + "' >'" + log +
                        "' 2>&1";
  if (std::system(command.c_str()) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << testing::read_file(log);
}

void write_sample_report(const std::string& path, bool finish) {
  DfxmlWriter writer(path, testing::sample_context());
  writer.add_source({"in.pcap", 1, ""});
  auto flows = testing::sample_flows();
  writer.write_fileobject(flows[0], testing::sample_extra());
  for (size_t i = 1; i < flows.size(); ++i) writer.write_fileobject(flows[i]);
  // Connection records land after <rusage>, in the schema's trailing ##other.
  flow::ConnectionRecord connection;
  connection.connection_id = 1;
  connection.orig_ip = testing::ipv4(192, 168, 0, 10);
  connection.resp_ip = testing::ipv4(93, 184, 216, 34);
  connection.vlan = 100;
  connection.state = flow::ConnState::kS0;
  connection.history = "S";
  writer.write_connection(connection);
  writer.write_connection(connection);
  if (finish) writer.finish(RunSummary{});
}

TEST(DfxmlSchema, FullReportValidates) {
  REQUIRE_VALIDATOR(schema);
  TempDir dir;
  write_sample_report(dir.file("report.xml"), true);
  EXPECT_TRUE(validates(schema, dir.file("report.xml")));
}

TEST(DfxmlSchema, TunnelledFlowValidates) {
  REQUIRE_VALIDATOR(schema);
  TempDir dir;
  {
    DfxmlWriter writer(dir.file("report.xml"), testing::sample_context());
    auto flows = testing::sample_flows();
    decode::TunnelLayer layer;
    layer.kind = decode::TunnelKind::kVxlan;
    layer.has_id = true;
    layer.id = 100;
    layer.outer_src = testing::ipv4(192, 0, 2, 1);
    layer.outer_dst = testing::ipv4(192, 0, 2, 2);
    flows[0].tunnels = {layer};
    writer.write_fileobject(flows[0]);
    writer.finish(RunSummary{});
  }
  EXPECT_NE(testing::read_file(dir.file("report.xml")).find("tunnels=\""), std::string::npos);
  EXPECT_TRUE(validates(schema, dir.file("report.xml")));
}

TEST(DfxmlSchema, ReportWithoutFinishValidates) {
  REQUIRE_VALIDATOR(schema);
  TempDir dir;
  write_sample_report(dir.file("report.xml"), false);
  EXPECT_TRUE(validates(schema, dir.file("report.xml")));
}

TEST(DfxmlSchema, EmptyRunAndDetectedContextValidate) {
  REQUIRE_VALIDATOR(schema);
  TempDir dir;
  RunContext context = detect_run_context();
  context.version = "2.0.0";
  { DfxmlWriter(dir.file("empty.xml"), context).finish(RunSummary{}); }
  EXPECT_TRUE(validates(schema, dir.file("empty.xml")));
}

// Guards against a validator that accepts anything: an unqualified element
// where the schema allows only other namespaces must be rejected.
TEST(DfxmlSchema, ValidatorRejectsAnInvalidDocument) {
  REQUIRE_VALIDATOR(schema);
  TempDir dir;
  std::string path = dir.file("bad.xml");
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "<dfxml xmlns='%s' version='2.0.0'><metadata/><fileobject><bogus/>"
               "</fileobject></dfxml>\n", kDfxmlNamespace);
  std::fclose(f);
  EXPECT_FALSE(validates(schema, path));
}

TEST(DfxmlSchema, ExtraChildrenWithOddNamesStayValid) {
  REQUIRE_VALIDATOR(schema);
  TempDir dir;
  std::string path = dir.file("report.xml");
  {
    DfxmlWriter writer(path, testing::sample_context());
    XmlChild odd = XmlChild::leaf("bad name<", "text\x01");
    odd.attr("1st attr", testing::kHostileName).add(XmlChild::leaf("inner"));
    XmlChild foreign = XmlChild::leaf("x:custom", "v").attr("xmlns:x", "urn:example:x");
    XmlChild magic = XmlChild::leaf("libmagic", "ASCII text");
    writer.write_fileobject(testing::sample_flows()[0], {odd, foreign, magic});
    writer.finish(RunSummary{});
  }
  EXPECT_TRUE(validates(schema, path));
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS);
  const auto* fo = doc.RootElement()->FirstChildElement("fileobject");
  const auto* odd = fo->FirstChildElement("tcpflow:bad_name_");
  ASSERT_NE(odd, nullptr);
  EXPECT_STREQ(odd->GetText(), "text\\x01");
  EXPECT_STREQ(odd->Attribute("_1st_attr"), testing::kHostileNameEscaped.c_str());
  EXPECT_NE(odd->FirstChildElement("tcpflow:inner"), nullptr);
  EXPECT_STREQ(fo->FirstChildElement("x:custom")->GetText(), "v");
  EXPECT_STREQ(fo->FirstChildElement("libmagic")->GetText(), "ASCII text");
}

TEST(DfxmlWriter, DestroyedWithoutFinishStillParses) {
  TempDir dir;
  std::string path = dir.file("report.xml");
  write_sample_report(path, false);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
  const auto* root = doc.RootElement();
  EXPECT_EQ(root->FirstChildElement("rusage"), nullptr);
  const auto* summary = root->FirstChildElement("tcpflow:summary");
  ASSERT_NE(summary, nullptr);
  EXPECT_STREQ(summary->Attribute("status"), "incomplete");
  EXPECT_STREQ(summary->Attribute("fileobjects"), "4");
}

TEST(DfxmlWriter, FileobjectsReachTheDiskOnFlushAndEvery64Flows) {
  TempDir dir;
  std::string path = dir.file("report.xml");
  DfxmlWriter writer(path, testing::sample_context());
  writer.add_source({"in.pcap", 1, ""});
  writer.write_fileobject(testing::sample_flows()[0]);
  writer.flush();
  std::string on_disk = testing::read_file(path);
  EXPECT_NE(on_disk.find("<image_filename"), std::string::npos);
  EXPECT_NE(on_disk.find("</fileobject>"), std::string::npos);
  EXPECT_EQ(on_disk.find("</dfxml>"), std::string::npos);
  auto count = [](const std::string& text) {
    size_t n = 0;
    for (size_t pos = 0; (pos = text.find("</fileobject>", pos)) != std::string::npos; ++pos) ++n;
    return n;
  };
  for (int i = 0; i < 64; ++i) writer.write_fileobject(testing::sample_flows()[1]);
  EXPECT_EQ(count(testing::read_file(path)), 65u);  // the 64th since the flush flushed
  writer.finish(RunSummary{});
  EXPECT_NE(testing::read_file(path).find("</dfxml>"), std::string::npos);
  writer.write_fileobject(testing::sample_flows()[1]);  // ignored after finish
  EXPECT_EQ(writer.fileobjects_written(), 65u);
}

TEST(DfxmlWriter, SourceAddedAfterTheFirstFlowGoesToTheSummary) {
  TempDir dir;
  std::string path = dir.file("report.xml");
  {
    DfxmlWriter writer(path, testing::sample_context());
    writer.write_fileobject(testing::sample_flows()[0]);
    writer.add_source({"late.pcap", 9, "ff"});
    writer.finish(RunSummary{});
  }
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS);
  EXPECT_EQ(doc.RootElement()->FirstChildElement("source"), nullptr);
  const auto* late =
      doc.RootElement()->FirstChildElement("tcpflow:summary")->FirstChildElement("tcpflow:late_source");
  ASSERT_NE(late, nullptr);
  EXPECT_STREQ(late->GetText(), "late.pcap");
  EXPECT_STREQ(late->Attribute("tcpflow:size"), "9");
  EXPECT_STREQ(late->Attribute("tcpflow:sha256"), "ff");
}

TEST(DfxmlWriter, WriteFailureTurnsOkFalseWithoutThrowing) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  DfxmlWriter writer("/dev/full", testing::sample_context());
  EXPECT_FALSE(writer.ok());
  writer.write_fileobject(testing::sample_flows()[0]);
  writer.finish(RunSummary{});
  EXPECT_FALSE(writer.ok());
  EXPECT_NE(writer.error().find("/dev/full"), std::string::npos) << writer.error();
}

TEST(RunContext, DetectsTheHostAndLibraries) {
  RunContext context = detect_run_context();
  EXPECT_FALSE(context.os_sysname.empty());
  EXPECT_FALSE(context.arch.empty());
  EXPECT_FALSE(context.uid.empty());
  EXPECT_FALSE(context.build.compiler.empty());
  EXPECT_EQ(context.start_time.size(), 20u) << context.start_time;
  ASSERT_FALSE(context.build.libraries.empty());
  EXPECT_EQ(context.build.libraries[0].name, "zlib");
  ASSERT_FALSE(context.runtime_libraries.empty());
  EXPECT_FALSE(context.runtime_libraries[0].version.empty());
}

}  // namespace
}  // namespace tcpflow::report
