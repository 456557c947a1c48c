// --merge-reports: shard file names, discovery, the block reader, the
// summary combination and the JSON Lines merge.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "flow/reassembly_counters.h"
#include "merge/jsonl_merger.h"
#include "merge/report_blocks.h"
#include "merge/shard_files.h"
#include "merge/summary_combiner.h"
#include "util/error.h"

namespace tcpflow::merge {
namespace {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/tcpflow-merge-test.XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    std::string full = path_ + "/" + name;
    std::ofstream(full) << text;
    return full;
  }

 private:
  std::string path_;
};

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ShardFiles, NamesPutTheInfixBeforeTheExtension) {
  EXPECT_EQ(shard_path("out/report.xml", flow::ShardSpec{2, 8}), "out/report.shard-2-of-8.xml");
  EXPECT_EQ(shard_path("flows", flow::ShardSpec{0, 1}), "flows.shard-0-of-1");
  EXPECT_EQ(shard_path("a.d/idx.jsonl", flow::ShardSpec{1, 3}), "a.d/idx.shard-1-of-3.jsonl");
  EXPECT_EQ(shard_path("a.d/idx", flow::ShardSpec{1, 3}), "a.d/idx.shard-1-of-3");
}

TEST(ShardFiles, FindsAllOrNamesTheMissing) {
  TempDir dir;
  const std::string report = dir.path() + "/report.xml";
  EXPECT_THROW(find_shard_files(report, nullptr), Error);
  dir.write("report.shard-0-of-3.xml", "");
  dir.write("report.shard-2-of-3.xml", "");
  dir.write("report.shard-01-of-3.xml", "");  // not a name tcpflow writes: ignored
  try {
    find_shard_files(report, nullptr);
    FAIL() << "a missing shard was accepted";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("1 of 3 shard reports missing"), std::string::npos) << message;
    EXPECT_NE(message.find("report.shard-1-of-3.xml"), std::string::npos) << message;
    EXPECT_EQ(message.find("report.shard-0-of-3.xml"), std::string::npos) << message;
  }
  dir.write("report.shard-1-of-3.xml", "");
  uint32_t count = 0;
  std::vector<std::string> paths = find_shard_files(report, &count);
  EXPECT_EQ(count, 3u);
  ASSERT_EQ(paths.size(), 3u);
  EXPECT_EQ(paths[1], dir.path() + "/report.shard-1-of-3.xml");
  dir.write("report.shard-0-of-2.xml", "");
  try {
    find_shard_files(report, nullptr);
    FAIL() << "shards of two runs were accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("different shard counts"), std::string::npos);
  }
}

TEST(ReportBlocks, ReadsTopLevelBlocksAndRefusesATruncatedReport) {
  TempDir dir;
  std::string path = dir.write("r.xml",
                               "<?xml version=\"1.0\"?>\n<dfxml version=\"2\">\n"
                               "  <metadata>\n    <x/>\n  </metadata>\n"
                               "  <fileobject tcpflow:shard_seq=\"4\">\n"
                               "    <filename>a&lt;/fileobject&gt;</filename>\n"
                               "  </fileobject>\n"
                               "  <tcpflow:summary status=\"incomplete\" fileobjects=\"1\"/>\n"
                               "</dfxml>\n");
  ReportBlocks blocks(path);
  EXPECT_EQ(blocks.peek()->name, "metadata");
  EXPECT_EQ(blocks.next()->lines.size(), 3u);
  std::optional<Block> fileobject = blocks.next();
  ASSERT_TRUE(fileobject);
  EXPECT_EQ(fileobject->name, "fileobject");
  EXPECT_EQ(attribute_of(fileobject->lines[0], "tcpflow:shard_seq"), "4");
  EXPECT_EQ(without_attribute(fileobject->lines[0], "tcpflow:shard_seq"), "  <fileobject>");
  EXPECT_EQ(blocks.next()->lines.size(), 1u);  // the one-line summary
  EXPECT_FALSE(blocks.next());

  std::string cut = dir.write("cut.xml", "<?xml version=\"1.0\"?>\n<dfxml version=\"2\">\n  <fileobject>\n");
  ReportBlocks truncated(cut);
  EXPECT_THROW(truncated.next(), Error);
  std::string other = dir.write("other.xml", "hello\n");
  EXPECT_THROW(ReportBlocks{other}, Error);
}

TEST(Attributes, ReplaceAndUnescape) {
  EXPECT_EQ(with_attribute("<a b=\"1\" c=\"2\"/>", "c", "99"), "<a b=\"1\" c=\"99\"/>");
  EXPECT_EQ(leaf_text("    <utime>1.5</utime>"), "1.5");
  EXPECT_EQ(xml_unescape("a&amp;b&lt;c&gt;&quot;&apos;&x"), "a&b<c>\"'&x");
}

ShardTail tail(const std::string& name, uint64_t packets, uint64_t files, uint64_t gaps,
               const char* utime, const char* maxrss) {
  ShardTail t;
  t.report_name = name;
  t.fileobjects = files;
  t.rusage = {"  <rusage>", std::string("    <utime>") + utime + "</utime>",
              std::string("    <maxrss>") + maxrss + "</maxrss>", "  </rusage>"};
  t.summary = {
      "  <tcpflow:summary status=\"complete\" stop_reason=\"end_of_input\" packets_read=\"" +
          std::to_string(packets) + "\" fileobjects=\"" + std::to_string(files) +
          "\" elapsed_seconds=\"1.000000\">",
      "    <tcpflow:counter name=\"packets_read\" value=\"" + std::to_string(packets) +
          "\" description=\"records\"/>",
      "    <tcpflow:counter name=\"flow_files_written\" value=\"" + std::to_string(files) +
          "\" description=\"files\"/>",
      "    <tcpflow:counter name=\"gaps\" value=\"" + std::to_string(gaps) +
          "\" description=\"holes\"/>",
      "  </tcpflow:summary>"};
  return t;
}

// A direction's reassembly counters are counted by the shard that keeps
// it (the others take them back), so the merge adds up every one of them
// (stream_shifts was once taken from the first shard).
TEST(SummaryCombiner, EveryReassemblyCounterIsSummed) {
  reassembly::ReassemblyStats rs;
  flow::for_each_reassembly_counter(rs, [](Counter c, uint64_t) {
    EXPECT_TRUE(summed_across_shards(counter_name(c))) << counter_name(c);
  });
}

TEST(SummaryCombiner, InputCountedOnceOutputSummed) {
  std::vector<ShardTail> shards = {tail("s0", 100, 3, 1, "1.5", "1000"),
                                   tail("s1", 100, 4, 2, "2.25", "3000")};
  std::vector<std::string> rusage = combined_rusage(shards);
  ASSERT_EQ(rusage.size(), 4u);
  EXPECT_EQ(rusage[1], "    <utime>3.750000</utime>");
  EXPECT_EQ(rusage[2], "    <maxrss>3000</maxrss>");
  std::vector<std::string> summary = combined_summary(shards, 7);
  EXPECT_EQ(attribute_of(summary[0], "fileobjects"), "7");
  EXPECT_EQ(attribute_of(summary[0], "packets_read"), "100");
  EXPECT_EQ(attribute_of(summary[0], "shards"), "2");
  EXPECT_EQ(attribute_of(summary[1], "value"), "100");  // packets_read: once
  EXPECT_EQ(attribute_of(summary[2], "value"), "7");    // flow_files_written: summed
  EXPECT_EQ(attribute_of(summary[3], "value"), "3");    // gaps: summed
  EXPECT_NE(summary[4].find("<tcpflow:shard index=\"0\" report=\"s0\""), std::string::npos);
  // Indented as the writer would: the shard two levels deep, its <rusage> three.
  EXPECT_EQ(summary[4].rfind("    <tcpflow:shard ", 0), 0u);
  EXPECT_EQ(summary[5], "      <rusage>");
  EXPECT_EQ(summary[6], "        <utime>1.5</utime>");
  EXPECT_EQ(summary[9], "    </tcpflow:shard>");

  shards[1] = tail("s1", 99, 4, 2, "2", "1");
  EXPECT_THROW(combined_summary(shards, 7), Error);  // different input
  shards[1].summary[0] = "  <tcpflow:summary status=\"incomplete\" fileobjects=\"4\"/>";
  EXPECT_THROW(combined_summary(shards, 7), Error);
}

TEST(SummaryCombiner, FinishedStatusesMergeToTheWorstInterruptedIsRefused) {
  std::vector<ShardTail> shards = {tail("s0", 100, 3, 1, "1", "1"),
                                   tail("s1", 100, 4, 2, "1", "1")};
  auto set_status = [](ShardTail& shard, const std::string& status) {
    std::string& line = shard.summary[0];
    size_t at = line.find("status=\"complete\"");
    ASSERT_NE(at, std::string::npos);
    line.replace(at, std::string("status=\"complete\"").size(), "status=\"" + status + "\"");
  };
  EXPECT_EQ(attribute_of(combined_summary(shards, 7)[0], "status"), "complete");
  set_status(shards[1], "truncated");  // a truncated input: every shard read to its end
  EXPECT_EQ(attribute_of(combined_summary(shards, 7)[0], "status"), "truncated");
  set_status(shards[0], "inputs_failed");
  EXPECT_EQ(attribute_of(combined_summary(shards, 7)[0], "status"), "inputs_failed");
  shards[1] = tail("s1", 100, 4, 2, "1", "1");
  set_status(shards[1], "interrupted");  // stopped early: not every packet seen
  EXPECT_THROW(combined_summary(shards, 7), Error);
}

TEST(JsonlMerger, OrdersBySequenceAndDropsIt) {
  TempDir dir;
  dir.write("f.shard-0-of-2.jsonl", "{\"shard_seq\":1,\"a\":1}\n{\"shard_seq\":4,\"a\":4}\n");
  dir.write("f.shard-1-of-2.jsonl", "{\"shard_seq\":2,\"a\":2}\n{\"shard_seq\":3,\"a\":3}\n");
  const std::string path = dir.path() + "/f.jsonl";
  EXPECT_THROW(merge_jsonl(path, 2, 5), Error);  // the reports said 5
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  EXPECT_EQ(merge_jsonl(path, 2, 4), 4u);
  EXPECT_EQ(read(path), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}\n");
  dir.write("f.shard-1-of-2.jsonl", "{\"a\":2}\n");
  EXPECT_THROW(merge_jsonl(path, 2, 3), Error);
}

}  // namespace
}  // namespace tcpflow::merge
