#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "output/fd_cache.h"
#include "output/flow_file_sink.h"
#include "output/name_counter.h"

namespace tcpflow::output {
namespace {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/tcpflow-output-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ByteView view(const std::string& s) { return ByteView(s); }

TEST(NameCounter, CountsEachNameSeparately) {
  NameCounter counter;
  EXPECT_EQ(counter.next("a"), 0u);
  EXPECT_EQ(counter.next("b"), 0u);
  EXPECT_EQ(counter.next("a"), 1u);
  EXPECT_EQ(counter.next("a"), 2u);
  EXPECT_EQ(counter.next("b"), 1u);
  for (int i = 0; i < 5000; ++i) counter.next("name" + std::to_string(i));
  EXPECT_EQ(counter.next("a"), 3u);
  EXPECT_EQ(counter.next("name4999"), 1u);
  EXPECT_EQ(counter.size(), 5002u);
}

TEST(FlowFileSink, CoalescesAndWritesOutOfOrderInPlace) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  std::string path = dir.path() + "/flow";
  {
    FlowFileSink sink(cache, path, false, stats);
    sink.write(0, view("hello "), Timestamp{1, 0});
    sink.write(10, view("XYZ"), Timestamp{2, 0});  // leaves a hole of 4 bytes
    sink.write(6, view("wor"), Timestamp{3, 0});
    uint8_t back[3];
    ASSERT_TRUE(sink.read_back(10, back, 3));
    EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 3), "XYZ");
    sink.close(Timestamp{1234567890, 500});
    EXPECT_EQ(sink.size(), 13u);
  }
  EXPECT_EQ(slurp(path), std::string("hello wor\0XYZ", 13));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1234567890);
  EXPECT_EQ(st.st_mtim.tv_nsec, 500);
}

TEST(FlowFileSink, ShiftMovesContentLater) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  std::string path = dir.path() + "/flow";
  FlowFileSink sink(cache, path, true, stats);
  sink.write(0, view("world"), Timestamp{5, 0});
  ASSERT_TRUE(sink.shift(6));
  sink.write(0, view("hello "), Timestamp{4, 0});
  sink.close(Timestamp{5, 0});
  EXPECT_EQ(slurp(path), "hello world");
  EXPECT_EQ(slurp(path + ".findx"), "0|4.000000|6\n6|5.000000|5\n");
}

TEST(FlowFileSink, RerunTruncatesAnExistingFile) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  std::string path = dir.path() + "/flow";
  std::ofstream(path) << "old content that is longer";
  FlowFileSink sink(cache, path, false, stats);
  sink.write(0, view("new"), Timestamp{1, 0});
  sink.close(Timestamp{1, 0});
  EXPECT_EQ(slurp(path), "new");
}

TEST(FdCache, TwoDescriptorsServeHundredFlowsIdentically) {
  TempDir dir;
  Stats stats;
  FdCache small(2);
  FdCache large(1000);
  std::vector<std::unique_ptr<FlowFileSink>> a, b;
  std::vector<std::string> truth(100);
  for (int i = 0; i < 100; ++i) {
    a.push_back(std::make_unique<FlowFileSink>(small, dir.path() + "/a" + std::to_string(i),
                                               false, stats));
    b.push_back(std::make_unique<FlowFileSink>(large, dir.path() + "/b" + std::to_string(i),
                                               false, stats));
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    int flow = static_cast<int>(rng() % 100);
    std::string chunk(1 + rng() % 3000, static_cast<char>('a' + rng() % 26));
    uint64_t offset = truth[flow].size();
    truth[flow] += chunk;
    a[flow]->write(offset, view(chunk), Timestamp{round, 0});
    b[flow]->write(offset, view(chunk), Timestamp{round, 0});
    EXPECT_LE(small.open_count(), 2u);
  }
  for (int i = 0; i < 100; ++i) {
    a[i]->close(Timestamp{1, 0});
    b[i]->close(Timestamp{1, 0});
    EXPECT_EQ(slurp(dir.path() + "/a" + std::to_string(i)), truth[i]) << i;
    EXPECT_EQ(slurp(dir.path() + "/b" + std::to_string(i)), truth[i]) << i;
  }
  EXPECT_GT(small.evictions(), 100u);
  EXPECT_EQ(stats.get(Counter::kWriteErrors), 0u);
}

TEST(FlowFileSink, UnwritableDirectoryFailsCleanly) {
  Stats stats;
  FdCache cache(4);
  FlowFileSink sink(cache, "/nonexistent-dir-for-tcpflow/flow", false, stats);
  sink.write(0, view("data"), Timestamp{1, 0});
  sink.close(Timestamp{1, 0});
  EXPECT_TRUE(sink.failed());
  EXPECT_NE(sink.error().find("cannot create"), std::string::npos);
  EXPECT_GE(stats.get(Counter::kWriteErrors), 1u);
}

}  // namespace
}  // namespace tcpflow::output
