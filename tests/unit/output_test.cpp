#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
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
  ~TempDir() {
    std::error_code ignored;  // a leftover temp directory is not a test failure
    std::filesystem::remove_all(path_, ignored);
  }
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

// Flow names that differ in one byte anywhere, in their length only, or by
// trailing NULs are all distinct: 200,000 realistic names, each counted once.
TEST(NameCounter, NearIdenticalFlowNamesAreDistinct) {
  NameCounter counter;
  char name[64];
  uint32_t repeats = 0;
  for (int i = 0; i < 100000; ++i) {
    std::snprintf(name, sizeof name, "010.%03d.%03d.%03d.%05d-172.016.000.001.00080", i % 7,
                  (i / 7) % 256, (i / 1792) % 256, i % 65536);
    repeats += counter.next(name);
    repeats += counter.next(std::string(name) + "c");
  }
  EXPECT_EQ(repeats, 0u);
  EXPECT_EQ(counter.next(std::string_view("abcdefgh", 8)), 0u);
  EXPECT_EQ(counter.next(std::string_view("abcdefgh\0", 9)), 0u);
  EXPECT_EQ(counter.next(std::string_view("abcdefgh\0\0", 10)), 0u);
  EXPECT_EQ(counter.next(std::string_view("", 0)), 0u);
  EXPECT_EQ(counter.next(std::string_view("\0", 1)), 0u);
  EXPECT_EQ(counter.next(std::string_view("abcdefgh\0", 9)), 1u);
  EXPECT_EQ(counter.size(), 200005u);
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

int64_t mtime_sec(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mtim.tv_sec : -1;
}

BackgroundWriter::Limits small_limits(size_t max_open, size_t batch_jobs) {
  BackgroundWriter::Limits limits;
  limits.max_open = max_open;
  limits.batch_jobs = batch_jobs;
  limits.queue_batches = 2;
  return limits;
}

TEST(BackgroundWriter, RunsJobsInOrderAndKeepsAFileFailureUnderItsClose) {
  TempDir dir;
  // Two descriptors for four open files: the writer evicts and reopens in place.
  BackgroundWriter writer(small_limits(2, 3));
  std::vector<uint64_t> files;
  for (int i = 0; i < 4; ++i) files.push_back(writer.create(dir.path() + "/f" + std::to_string(i)));
  EXPECT_EQ(files, (std::vector<uint64_t>{1, 2, 3, 4}));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 4; ++i) {
      std::string bytes = "r" + std::to_string(round) + "f" + std::to_string(i);
      writer.write(files[i], 2 + round * bytes.size(), view(bytes));
    }
  }
  uint64_t bad = writer.create("/nonexistent-dir-for-tcpflow/flow");
  uint64_t bad_write = writer.write(bad, 0, view("lost"));
  std::vector<uint64_t> closes;
  for (int i = 0; i < 4; ++i) closes.push_back(writer.close(files[i], {100 + i, 7}));
  uint64_t bad_close = writer.close(bad, {1, 0});
  EXPECT_EQ(writer.submitted(), bad_close);
  writer.wait_for(bad_close);
  EXPECT_EQ(writer.finished(), bad_close);
  for (int i = 0; i < 4; ++i) {
    std::string path = dir.path() + "/f" + std::to_string(i);
    std::string f = "f" + std::to_string(i);
    EXPECT_EQ(slurp(path), std::string(2, '\0') + "r0" + f + "r1" + f);
    EXPECT_EQ(mtime_sec(path), 100 + i);
    EXPECT_FALSE(writer.take_error(closes[i]).has_value());
  }
  EXPECT_GT(writer.evictions(), 0u);
  EXPECT_LE(writer.peak_open(), 2u);
  EXPECT_FALSE(writer.take_error(bad).has_value());
  EXPECT_FALSE(writer.take_error(bad_write).has_value());
  std::optional<std::string> error = writer.take_error(bad_close);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot create"), std::string::npos) << *error;
  EXPECT_FALSE(writer.take_error(bad_close).has_value());  // taken once
}

TEST(BackgroundWriter, AFailedWriteIsKeptAndStopsTheFile) {
  BackgroundWriter writer(small_limits(4, 1));
  uint64_t full = writer.create("/dev/full");  // every write: ENOSPC
  writer.write(full, 0, view("a"));
  writer.write(full, 1, view("b"));
  uint64_t closed = writer.close(full, Timestamp{});
  writer.wait_for(closed);
  std::optional<std::string> error = writer.take_error(closed);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, std::string("write failed: ") + std::strerror(ENOSPC));
}

TEST(BackgroundWriter, DestructorFinishesQueuedJobs) {
  TempDir dir;
  {
    BackgroundWriter writer(small_limits(4, 64));
    for (int i = 0; i < 10; ++i) {
      uint64_t file = writer.create(dir.path() + "/g" + std::to_string(i));
      writer.write(file, 0, view("x"));
      if (i % 2 == 0) writer.close(file, {});  // the others are closed by the destructor
    }
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(slurp(dir.path() + "/g" + std::to_string(i)), "x");
}

// Several writers: every file is whole, finished() never runs ahead of a
// job, errors stay under their close, and two files on one path (a template
// without %c) run in submission order, as with one writer.
TEST(BackgroundWriter, SeveralWritersKeepEachPathInOrder) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(6, 5);
  limits.writers = 3;
  std::vector<uint64_t> closes;
  {
    BackgroundWriter writer(limits);
    std::vector<uint64_t> files;
    for (int i = 0; i < 40; ++i) files.push_back(writer.create(dir.path() + "/m" + std::to_string(i)));
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 40; ++i) {
        std::string bytes = std::to_string(round) + ":" + std::to_string(i) + ";";
        uint64_t ticket = writer.write(files[i], round * 8, view(bytes + std::string(8 - bytes.size(), '.')));
        EXPECT_LE(writer.finished(), ticket);
      }
    }
    for (int i = 0; i < 40; ++i) closes.push_back(writer.close(files[i], {200 + i, 0}));
    // The same path twice: the second file's creation truncates the first,
    // and its bytes are what remains.
    std::string shared = dir.path() + "/shared";
    uint64_t first = writer.create(shared);
    writer.write(first, 0, view("first file, longer"));
    writer.close(first, {1, 0});
    uint64_t second = writer.create(shared);
    writer.write(second, 0, view("second"));
    uint64_t last = writer.close(second, {2, 0});
    uint64_t bad = writer.create("/nonexistent-dir-for-tcpflow/m");
    uint64_t bad_close = writer.close(bad, {});
    writer.wait_for(last);
    EXPECT_GE(writer.finished(), last);
    EXPECT_EQ(slurp(shared), "second");
    EXPECT_EQ(mtime_sec(shared), 2);
    writer.wait_for(bad_close);
    EXPECT_EQ(writer.finished(), writer.submitted());
    std::optional<std::string> error = writer.take_error(bad_close);
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->find("cannot create"), std::string::npos) << *error;
    for (uint64_t ticket : closes) EXPECT_FALSE(writer.take_error(ticket).has_value());
    EXPECT_LE(writer.peak_open(), 6u);  // the budget is shared out, not multiplied
  }
  for (int i = 0; i < 40; ++i) {
    std::string want;
    for (int round = 0; round < 3; ++round) {
      std::string bytes = std::to_string(round) + ":" + std::to_string(i) + ";";
      want += bytes + std::string(8 - bytes.size(), '.');
    }
    std::string path = dir.path() + "/m" + std::to_string(i);
    EXPECT_EQ(slurp(path), want) << path;
    EXPECT_EQ(mtime_sec(path), 200 + i);
  }
}

// finished() with several writers: a ticket counts as done only when every
// earlier ticket, on whichever writer, is done too.
TEST(BackgroundWriter, FinishedIsContiguousAcrossWriters) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(8, 1000);  // nothing leaves before flush()
  limits.writers = 2;
  BackgroundWriter writer(limits);
  uint64_t a = writer.create(dir.path() + "/a");
  uint64_t b = writer.create(dir.path() + "/b");
  uint64_t c = writer.create(dir.path() + "/c");
  EXPECT_EQ(writer.finished(), 0u);  // all still in unflushed batches
  writer.wait_for(c);
  EXPECT_EQ(writer.finished(), c);
  uint64_t write_a = writer.write(a, 0, view("x"));
  EXPECT_EQ(writer.finished(), write_a - 1);  // pending: at most what came before it
  writer.close(a, {});
  writer.close(b, {});
  uint64_t last = writer.close(c, {});
  writer.wait_for(last);
  EXPECT_EQ(writer.finished(), last);
  EXPECT_EQ(slurp(dir.path() + "/a"), "x");
}

// A long contiguous flow trades its 16 KiB buffer for a 128 KiB one after a
// few fills; the file is the same, and both go back to the pool at close.
TEST(FlowFileSink, ALongFlowMovesToALargeBuffer) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  std::string path = dir.path() + "/long";
  std::string expected;
  {
    FlowFileSink sink(cache, nullptr, path, false, stats);
    uint64_t offset = 0;
    for (int i = 0; offset < 600 * 1024; ++i) {
      std::string segment(1448, static_cast<char>('a' + i % 26));
      sink.write(offset, view(segment), Timestamp{1, 0});
      expected += segment;
      offset += segment.size();
      if (offset < 3 * FdCache::kBufferSize) {  // three fills at most: still small
        EXPECT_EQ(cache.large_buffers_in_use(), 0u);
      }
    }
    EXPECT_EQ(cache.large_buffers_in_use(), 1u);
    EXPECT_EQ(cache.buffers_in_use(), 0u);
    uint8_t back[4];
    ASSERT_TRUE(sink.read_back(expected.size() - 4, back, 4));  // from the large buffer
    EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 4), expected.substr(expected.size() - 4));
    sink.close(Timestamp{2, 0});
  }
  EXPECT_EQ(cache.large_buffers_in_use(), 0u);
  EXPECT_EQ(slurp(path), expected);
}

// Large buffers are refused while most small ones are taken (many flows at
// once) and beyond their own cap.
TEST(FdCache, LargeBuffersOnlyWhileSmallOnesAreFree) {
  FdCache cache(4);
  std::vector<std::unique_ptr<uint8_t[]>> small;
  for (int i = 0; i < 768; ++i) small.push_back(cache.reserve_buffer());
  std::unique_ptr<uint8_t[]> granted = cache.reserve_large_buffer();
  EXPECT_NE(granted, nullptr);  // exactly three quarters in use
  cache.release_large_buffer(std::move(granted));
  small.push_back(cache.reserve_buffer());
  EXPECT_EQ(cache.reserve_large_buffer(), nullptr);
  for (auto& b : small) cache.release_buffer(std::move(b));
  std::vector<std::unique_ptr<uint8_t[]>> large;
  while (auto b = cache.reserve_large_buffer()) large.push_back(std::move(b));
  EXPECT_GE(large.size(), 16u);
  EXPECT_EQ(cache.large_buffers_in_use(), large.size());
  for (auto& b : large) cache.release_large_buffer(std::move(b));
  EXPECT_EQ(cache.large_buffers_in_use(), 0u);
}

TEST(FlowFileSink, WithABackgroundWriterEveryFileIsWrittenByIt) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  BackgroundWriter writer(small_limits(1, 1));  // one descriptor: files are evicted
  std::string path = dir.path() + "/flow";
  std::ofstream(path) << "old content that is longer";
  FlowFileSink sink(cache, &writer, path, false, stats);
  sink.write(0, view("GET / "), Timestamp{1, 0});
  sink.write(6, view("HTTP/1.1"), Timestamp{2, 0});
  uint8_t back[3];
  EXPECT_TRUE(sink.read_back(2, back, 3));  // from the buffer: no job yet
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 3), "T /");
  EXPECT_EQ(writer.submitted(), 0u);
  EXPECT_EQ(slurp(path), "old content that is longer");
  sink.quiesce(Timestamp{2, 0});  // the connection closed: the bytes go to the writer
  EXPECT_EQ(cache.buffers_in_use(), 0u);
  auto [first, last] = sink.background_tickets();
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(last, 2u);  // create, write
  writer.wait_for(last);
  EXPECT_EQ(slurp(path), "GET / HTTP/1.1");

  // Another file takes the writer's only descriptor.
  std::string other = dir.path() + "/other";
  FlowFileSink second(cache, &writer, other, false, stats);
  std::string big(40000, 'q');  // more than a buffer: straight to the writer
  second.write(0, view(big), Timestamp{5, 0});
  second.write(big.size(), view("tail"), Timestamp{6, 0});

  EXPECT_TRUE(sink.read_back(0, back, 3));  // a late retransmission is compared on disk
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 3), "GET");
  sink.write(14, view("\r\n"), Timestamp{3, 0});  // late bytes: reopened in place
  sink.close(Timestamp{1234567890, 0});
  second.close(Timestamp{1500000000, 0});
  writer.wait_for(second.background_tickets().second);
  EXPECT_GT(sink.background_tickets().second, last);
  EXPECT_EQ(slurp(path), "GET / HTTP/1.1\r\n");
  EXPECT_EQ(mtime_sec(path), 1234567890);  // set by path: its descriptor was evicted
  EXPECT_EQ(slurp(other), big + "tail");
  EXPECT_EQ(mtime_sec(other), 1500000000);

  // Bytes before the first one seen: the file is shifted, through the writer.
  std::string shifted = dir.path() + "/shifted";
  FlowFileSink moved(cache, &writer, shifted, false, stats);
  moved.write(0, view("abc"), Timestamp{1, 0});
  moved.quiesce(Timestamp{1, 0});
  EXPECT_TRUE(moved.shift(2));
  moved.write(0, view("xy"), Timestamp{1, 0});
  moved.close(Timestamp{1600000000, 0});
  writer.wait_for(moved.background_tickets().second);
  EXPECT_EQ(slurp(shifted), "xyabc");
  EXPECT_EQ(mtime_sec(shifted), 1600000000);

  EXPECT_EQ(cache.buffers_in_use(), 0u);
  EXPECT_EQ(stats.get(Counter::kWriteErrors), 0u);
  for (uint64_t t = 1; t <= writer.submitted(); ++t) EXPECT_FALSE(writer.take_error(t)) << t;
}

TEST(FlowFileSink, WithABackgroundWriterTheIndexIsWrittenOnThisThread) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  BackgroundWriter writer(small_limits(4, 8));
  std::string indexed = dir.path() + "/indexed";
  FlowFileSink sink(cache, &writer, indexed, true, stats);
  sink.write(0, view("xy"), Timestamp{1, 0});
  sink.close(Timestamp{2, 0});
  EXPECT_EQ(slurp(indexed + ".findx"), "0|1.000000|2\n");
  writer.wait_for(sink.background_tickets().second);
  EXPECT_EQ(slurp(indexed), "xy");
  EXPECT_EQ(writer.submitted(), 3u);  // create, write, close
}

}  // namespace
}  // namespace tcpflow::output
