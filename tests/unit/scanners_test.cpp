#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "scanners/registry.h"
#include "scanners/scan_md5.h"
#include "util/error.h"

namespace tcpflow::scanners {
namespace {

TEST(Md5, KnownDigests) {
  Md5 empty;
  EXPECT_EQ(empty.hex_digest(), "d41d8cd98f00b204e9800998ecf8427e");
  Md5 abc;
  abc.update(ByteView(std::string_view("a")));
  abc.update(ByteView(std::string_view("bc")));
  EXPECT_EQ(abc.hex_digest(), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(ScannerSet, SelectionRules) {
  EXPECT_TRUE(ScannerSet::select({}).empty());
  ScannerSelection md5;
  md5.enable = {"md5"};
  EXPECT_EQ(ScannerSet::select(md5).names(), std::vector<std::string>{"md5"});
  ScannerSelection fm;
  fm.md5_every_flow = true;
  EXPECT_EQ(ScannerSet::select(fm).names(), std::vector<std::string>{"md5"});
  ScannerSelection all_but;
  all_but.all = true;
  all_but.disable = {"md5"};
  // -a includes netviz, which reads no flow files (empty() is about those).
  EXPECT_EQ(ScannerSet::select(all_but).names(), (std::vector<std::string>{"http", "netviz"}));
  all_but.disable = {"md5", "http"};
  EXPECT_TRUE(ScannerSet::select(all_but).empty());
  EXPECT_TRUE(ScannerSet::select(all_but).enabled("netviz"));
  all_but.disable = {"md5", "http", "netviz"};
  EXPECT_TRUE(ScannerSet::select(all_but).names().empty());
  ScannerSelection bad;
  bad.enable = {"nosuch"};
  EXPECT_THROW(ScannerSet::select(bad), UsageError);
}

TEST(ScannerSet, HashesAFileLargerThanOneChunk) {
  char path[] = "/tmp/tcpflow-scan-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 200000; ++i) out.put(static_cast<char>(i * 7));
  }
  ScannerSelection md5;
  md5.enable = {"md5"};
  ScanResult result;
  std::string error;
  flow::FlowInfo info;
  std::string file(path);
  ASSERT_TRUE(ScannerSet::select(md5).scan_file(ScanTarget{info, file}, result, error));
  std::string cmd = std::string("md5sum ") + path + " > " + path + ".sum";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream sum(std::string(path) + ".sum");
  std::string expected;
  sum >> expected;
  ASSERT_EQ(result.xml.size(), 1u);
  EXPECT_EQ(result.xml[0].name, "hashdigest");
  EXPECT_EQ(result.xml[0].text, expected);
  EXPECT_EQ(result.jsonl[0].second, expected);
  ::unlink(path);
  ::unlink((std::string(path) + ".sum").c_str());
}

// The writer hashed the file as it wrote it (FlowInfo::written_md5): the
// scanner reports that digest and the file is not even opened (here it
// does not exist); an http scan beside it still reads the file.
TEST(ScannerSet, TakesTheWritersDigestWithoutReadingTheFile) {
  ScannerSelection md5;
  md5.enable = {"md5"};
  flow::FlowInfo info;
  info.written_md5 = "0123456789abcdef0123456789abcdef";
  std::string missing = "/nonexistent-dir-for-tcpflow/flow";
  ScanResult result;
  std::string error;
  ASSERT_TRUE(ScannerSet::select(md5).scan_file(ScanTarget{info, missing}, result, error)) << error;
  ASSERT_EQ(result.xml.size(), 1u);
  EXPECT_EQ(result.xml[0].text, info.written_md5);
  EXPECT_EQ(result.jsonl[0].second, info.written_md5);
  ScannerSelection both;
  both.enable = {"md5", "http"};
  ScanResult unread;
  EXPECT_FALSE(ScannerSet::select(both).scan_file(ScanTarget{info, missing}, unread, error));
  EXPECT_NE(error.find(missing), std::string::npos) << error;
}

}  // namespace
}  // namespace tcpflow::scanners

namespace tcpflow::scanners {
namespace {

TEST(ScannerSet, NetvizIsAScannerNameAndChecksItsFormats) {
  ScannerSelection netviz;
  netviz.enable = {"netviz"};
  ScannerSet set = ScannerSet::select(netviz);
  EXPECT_TRUE(set.enabled("netviz"));
  EXPECT_TRUE(set.empty());  // no flow file is read for it
  ScannerOptions bad;
  bad.netviz_formats = "pdf,jpeg";
  EXPECT_THROW(ScannerSet::select(netviz, bad), UsageError);
  ScannerSelection x;
  x.enable = {"all"};
  x.disable = {"netviz"};
  EXPECT_FALSE(ScannerSet::select(x, bad).enabled("netviz"));  // not set up when off
}

}  // namespace
}  // namespace tcpflow::scanners
