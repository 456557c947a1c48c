#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "output/background_writer.h"
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
    FlowFileSink sink(cache, nullptr, path, false, stats);
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
  FlowFileSink sink(cache, nullptr, path, true, stats);
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
  FlowFileSink sink(cache, nullptr, path, false, stats);
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
    a.push_back(std::make_unique<FlowFileSink>(small, nullptr, dir.path() + "/a" + std::to_string(i),
                                               false, stats));
    b.push_back(std::make_unique<FlowFileSink>(large, nullptr, dir.path() + "/b" + std::to_string(i),
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

TEST(FdCache, DefaultBudgetRaisesTheSoftLimitTowardsTheHardOne) {
  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 200) GTEST_SKIP() << "hard limit too low";
  struct rlimit lowered = saved;
  lowered.rlim_cur = 100;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  FdCache cache(0);
  struct rlimit now {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  rlim_t expected = saved.rlim_max == RLIM_INFINITY ? 65536 + 32 : std::min<rlim_t>(saved.rlim_max, 65536 + 32);
  EXPECT_EQ(now.rlim_cur, expected);
  EXPECT_EQ(cache.capacity(), static_cast<size_t>(expected) - 32);
  EXPECT_EQ(FdCache(7).capacity(), 7u);  // -f N is taken as given
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
}

TEST(FlowFileSink, UnwritableDirectoryFailsCleanly) {
  Stats stats;
  FdCache cache(4);
  FlowFileSink sink(cache, nullptr, "/nonexistent-dir-for-tcpflow/flow", false, stats);
  sink.write(0, view("data"), Timestamp{1, 0});
  sink.close(Timestamp{1, 0});
  EXPECT_TRUE(sink.failed());
  EXPECT_NE(sink.error().find("cannot create"), std::string::npos);
  EXPECT_GE(stats.get(Counter::kWriteErrors), 1u);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

int64_t mtime_sec(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mtim.tv_sec : -1;
}

TEST(BackgroundWriter, WritesWholeFilesInTicketOrderAndKeepsFailures) {
  TempDir dir;
  std::string bad = "/nonexistent-dir-for-tcpflow/flow";
  BackgroundWriter writer(2, 3, 2);  // batches of 3: the fourth job waits for flush
  std::vector<uint64_t> tickets;
  for (int i = 0; i < 4; ++i) {
    std::string path = dir.path() + "/f" + std::to_string(i);
    std::string bytes = "bytes" + std::to_string(i);
    tickets.push_back(writer.submit(path, view(bytes), 2, {100 + i, 7}));
  }
  tickets.push_back(writer.submit(bad, view("lost"), 0, {1, 0}));
  EXPECT_EQ(tickets, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(writer.submitted(), 5u);
  writer.wait_for(5);
  EXPECT_EQ(writer.finished(), 5u);
  for (int i = 0; i < 4; ++i) {
    std::string path = dir.path() + "/f" + std::to_string(i);
    EXPECT_EQ(slurp(path), std::string(2, '\0') + "bytes" + std::to_string(i));
    EXPECT_EQ(mtime_sec(path), 100 + i);
    EXPECT_FALSE(writer.take_error(tickets[i]).has_value());
  }
  std::optional<std::string> error = writer.take_error(5);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot create"), std::string::npos) << *error;
  EXPECT_FALSE(writer.take_error(5).has_value());  // taken once
}

TEST(BackgroundWriter, DestructorFinishesQueuedJobs) {
  TempDir dir;
  {
    BackgroundWriter writer(2, 64, 1);
    for (int i = 0; i < 10; ++i) {
      writer.submit(dir.path() + "/g" + std::to_string(i), view("x"), 0, {});
    }
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(slurp(dir.path() + "/g" + std::to_string(i)), "x");
}

TEST(FlowFileSink, ShortDirectionIsWrittenWholeInTheBackground) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  BackgroundWriter writer(2, 1, 4);
  std::string path = dir.path() + "/flow";
  std::ofstream(path) << "old content that is longer";
  FlowFileSink sink(cache, &writer, path, false, stats);
  sink.write(0, view("GET / "), Timestamp{1, 0});
  sink.write(6, view("HTTP/1.1"), Timestamp{2, 0});
  EXPECT_EQ(slurp(path), "old content that is longer");  // nothing written yet
  sink.quiesce(Timestamp{2, 0});  // the connection closed: written whole, in the background
  EXPECT_EQ(cache.buffers_in_use(), 0u);
  auto [first, last] = sink.background_tickets();
  ASSERT_NE(first, 0u);
  EXPECT_EQ(first, last);
  writer.wait_for(last);
  EXPECT_EQ(slurp(path), "GET / HTTP/1.1");
  EXPECT_EQ(mtime_sec(path), 2);
  uint8_t back[3];
  EXPECT_TRUE(sink.read_back(0, back, 3));  // a late retransmission is compared on disk
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 3), "GET");
  sink.write(14, view("\r\n"), Timestamp{3, 0});  // late bytes: appended on this thread
  sink.close(Timestamp{1234567890, 0});
  EXPECT_EQ(sink.background_tickets(), std::make_pair(first, last));
  EXPECT_EQ(slurp(path), "GET / HTTP/1.1\r\n");
  EXPECT_EQ(mtime_sec(path), 1234567890);

  // A late segment written here at the very time of the job: the kernel
  // stamped the file with the wall clock, so the time is set again.
  // Its descriptor is then evicted, so close() has none to set the time on.
  std::string same_time = dir.path() + "/same";
  FdCache one(1);
  FlowFileSink late(one, &writer, same_time, false, stats);
  late.write(0, view("abc"), Timestamp{1700000000, 0});
  late.quiesce(Timestamp{1700000000, 0});
  late.write(3, view(std::string(20000, 'd')), Timestamp{1700000000, 0});  // straight to disk
  FlowFileSink evicter(one, nullptr, dir.path() + "/evicter", false, stats);
  evicter.write(0, view("e"), Timestamp{1, 0});
  evicter.close(Timestamp{1, 0});
  late.close(Timestamp{1700000000, 0});
  writer.wait_for(late.background_tickets().second);
  EXPECT_EQ(slurp(same_time), "abc" + std::string(20000, 'd'));
  EXPECT_EQ(mtime_sec(same_time), 1700000000);

  // Quiet after its connection closed, but a later packet (the last ACK)
  // moves its time: a second job sets it.
  std::string other = dir.path() + "/other";
  FlowFileSink quiet(cache, &writer, other, false, stats);
  quiet.write(0, view("abc"), Timestamp{1, 0});
  quiet.quiesce(Timestamp{1, 0});
  quiet.close(Timestamp{1500000000, 0});
  auto [create, touch] = quiet.background_tickets();
  ASSERT_NE(create, 0u);
  EXPECT_GT(touch, create);
  writer.wait_for(touch);
  EXPECT_EQ(slurp(other), "abc");
  EXPECT_EQ(mtime_sec(other), 1500000000);

  // Never quiesced (the capture ended): one job with the final time.
  std::string ended = dir.path() + "/ended";
  FlowFileSink cut(cache, &writer, ended, false, stats);
  cut.write(5, view("xyz"), Timestamp{1, 0});
  cut.close(Timestamp{1600000000, 0});
  auto [only, same] = cut.background_tickets();
  EXPECT_EQ(only, same);
  writer.wait_for(only);
  EXPECT_EQ(slurp(ended), std::string(5, '\0') + "xyz");
  EXPECT_EQ(mtime_sec(ended), 1600000000);
  EXPECT_EQ(cache.buffers_in_use(), 0u);
  EXPECT_EQ(stats.get(Counter::kWriteErrors), 0u);
  for (uint64_t t = 1; t <= writer.submitted(); ++t) EXPECT_FALSE(writer.take_error(t)) << t;
}

TEST(FlowFileSink, LongOrIndexedDirectionsAreWrittenOnThisThread) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  BackgroundWriter writer(1, 1, 4);
  std::string big = dir.path() + "/big";
  std::string chunk(5000, 'q');
  {
    FlowFileSink sink(cache, &writer, big, false, stats);
    for (int i = 0; i < 8; ++i) sink.write(i * chunk.size(), view(chunk), Timestamp{1, 0});
    EXPECT_TRUE(exists(big));  // outgrew the buffer: created on this thread
    sink.close(Timestamp{2, 0});
    EXPECT_EQ(sink.background_tickets().second, 0u);
  }
  EXPECT_EQ(slurp(big).size(), 8 * chunk.size());
  std::string indexed = dir.path() + "/indexed";
  FlowFileSink sink(cache, &writer, indexed, true, stats);
  sink.write(0, view("xy"), Timestamp{1, 0});
  sink.close(Timestamp{2, 0});
  EXPECT_EQ(sink.background_tickets().second, 0u);
  EXPECT_EQ(slurp(indexed), "xy");
  EXPECT_EQ(slurp(indexed + ".findx"), "0|1.000000|2\n");
  EXPECT_EQ(writer.submitted(), 0u);
}

}  // namespace
}  // namespace tcpflow::output
