#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "output/background_file_writer.h"
#include "output/direct_file_writer.h"
#include "output/fd_cache.h"
#include "output/flow_file_sink.h"
#include "output/write_buffers.h"
#include "output_test_util.h"

namespace tcpflow::output {
namespace {

using Tier = WriteBuffers::Tier;

// Tiny and small buffers held: each short flow holds one of the two.
size_t short_buffers_in_use(const WriteBuffers& buffers) {
  return buffers.in_use(Tier::kTiny) + buffers.in_use(Tier::kSmall);
}

// A flow file sink written on this thread, in a fresh directory.
class DirectSinkTest : public ::testing::Test {
 protected:
  TempDir dir;
  Stats stats;
  FdCache cache{4};
  DirectFileWriter writer{cache};
  WriteBuffers buffers;
};

TEST_F(DirectSinkTest, CoalescesAndWritesOutOfOrderInPlace) {
  std::string path = dir.path() + "/flow";
  {
    FlowFileSink sink(writer, buffers, path, false, stats);
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

// A short direction waits in its buffer without a file or a descriptor, and
// is created, written and stamped at its close: created at its first bytes,
// its inode would be cold again by then, thousands of creations later.
TEST_F(DirectSinkTest, AShortDirectionIsCreatedWhenItIsWritten) {
  std::string path = dir.path() + "/flow";
  FlowFileSink sink(writer, buffers, path, false, stats);
  sink.write(0, view("short "), Timestamp{1, 0});
  sink.write(6, view("direction"), Timestamp{2, 0});
  struct stat st {};
  EXPECT_NE(::stat(path.c_str(), &st), 0) << "created before its first write";
  EXPECT_EQ(cache.open_count(), 0u);
  sink.close(Timestamp{7, 0});
  EXPECT_EQ(slurp(path), "short direction");
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 7);
  EXPECT_EQ(cache.open_count(), 0u);
}

TEST_F(DirectSinkTest, ShiftMovesContentLater) {
  std::string path = dir.path() + "/flow";
  FlowFileSink sink(writer, buffers, path, true, stats);
  sink.write(0, view("world"), Timestamp{5, 0});
  ASSERT_TRUE(sink.shift(6));
  sink.write(0, view("hello "), Timestamp{4, 0});
  sink.close(Timestamp{5, 0});
  EXPECT_EQ(slurp(path), "hello world");
  EXPECT_EQ(slurp(path + ".findx"), "0|4.000000|6\n6|5.000000|5\n");
}

TEST_F(DirectSinkTest, RerunTruncatesAnExistingFile) {
  std::string path = dir.path() + "/flow";
  std::ofstream(path) << "old content that is longer";
  FlowFileSink sink(writer, buffers, path, false, stats);
  sink.write(0, view("new"), Timestamp{1, 0});
  sink.close(Timestamp{1, 0});
  EXPECT_EQ(slurp(path), "new");
}

TEST(FdCache, TwoDescriptorsServeHundredFlowsIdentically) {
  TempDir dir;
  Stats stats;
  FdCache small(2);
  FdCache large(1000);
  DirectFileWriter small_writer(small);
  DirectFileWriter large_writer(large);
  WriteBuffers buffers;
  std::vector<std::unique_ptr<FlowFileSink>> a, b;
  std::vector<std::string> truth(100);
  for (int i = 0; i < 100; ++i) {
    a.push_back(std::make_unique<FlowFileSink>(small_writer, buffers, dir.path() + "/a" + std::to_string(i),
                                               false, stats));
    b.push_back(std::make_unique<FlowFileSink>(large_writer, buffers, dir.path() + "/b" + std::to_string(i),
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

TEST_F(DirectSinkTest, UnwritableDirectoryFailsCleanly) {
  FlowFileSink sink(writer, buffers, "/nonexistent-dir-for-tcpflow/flow", false, stats);
  sink.write(0, view("data"), Timestamp{1, 0});
  reassembly::StreamEnd end = sink.close(Timestamp{1, 0});
  EXPECT_TRUE(sink.failed());
  EXPECT_TRUE(end.failed);
  EXPECT_NE(end.error.find("cannot create"), std::string::npos);
  EXPECT_GE(stats.get(Counter::kWriteErrors), 1u);
}

// A long contiguous flow grows its tiny buffer into a 16 KiB one, and trades
// that for a 128 KiB one after a few fills; the file is the same, and each
// goes back to its pool.
TEST_F(DirectSinkTest, ALongFlowMovesToALargeBuffer) {
  std::string path = dir.path() + "/long";
  std::string expected;
  {
    FlowFileSink sink(writer, buffers, path, false, stats);
    uint64_t offset = 0;
    for (int i = 0; offset < 600 * 1024; ++i) {
      std::string segment(1448, static_cast<char>('a' + i % 26));
      sink.write(offset, view(segment), Timestamp{1, 0});
      expected += segment;
      offset += segment.size();
      if (offset <= WriteBuffers::kTinyBufferSize) {
        EXPECT_EQ(buffers.in_use(Tier::kTiny), 1u);
        EXPECT_EQ(slurp(path), "");  // nothing written yet
      } else if (offset < 3 * WriteBuffers::kBufferSize) {  // three fills at most: still small
        EXPECT_EQ(buffers.in_use(Tier::kTiny), 0u);
        EXPECT_EQ(buffers.in_use(Tier::kSmall), 1u);
        EXPECT_EQ(buffers.in_use(Tier::kLarge), 0u);
      }
    }
    EXPECT_EQ(buffers.in_use(Tier::kLarge), 1u);
    EXPECT_EQ(short_buffers_in_use(buffers), 0u);
    uint8_t back[4];
    ASSERT_TRUE(sink.read_back(expected.size() - 4, back, 4));  // from the large buffer
    EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 4), expected.substr(expected.size() - 4));
    sink.close(Timestamp{2, 0});
  }
  EXPECT_EQ(buffers.in_use(Tier::kLarge), 0u);
  EXPECT_EQ(slurp(path), expected);
}

// A direction of a few KB reaches its file in one piece at its close: its
// tiny buffer grows into a small one, bytes kept, instead of being written
// out when it fills. Without a small buffer free, the tiny one is flushed
// as it fills, and the file is the same.
TEST_F(DirectSinkTest, AFullTinyBufferGrowsInsteadOfBeingWritten) {
  std::string grown = dir.path() + "/grown";
  std::string flushed = dir.path() + "/flushed";
  std::string expected;
  for (int i = 0; i < 7; ++i) expected += std::string(1448, static_cast<char>('a' + i));
  {
    FlowFileSink sink(writer, buffers, grown, false, stats);
    for (size_t at = 0; at < expected.size(); at += 1448) {
      sink.write(at, view(expected.substr(at, 1448)), Timestamp{1, 0});
    }
    EXPECT_EQ(buffers.in_use(Tier::kTiny), 0u);
    EXPECT_EQ(buffers.in_use(Tier::kSmall), 1u);
    EXPECT_EQ(slurp(grown), "");  // all of it still in the buffer
    sink.close(Timestamp{2, 0});
  }
  EXPECT_EQ(slurp(grown), expected);

  std::vector<WriteBuffers::Buffer> taken;
  while (auto b = buffers.reserve(Tier::kSmall)) taken.push_back(std::move(b));
  {
    FlowFileSink sink(writer, buffers, flushed, false, stats);
    for (size_t at = 0; at < expected.size(); at += 1448) {
      sink.write(at, view(expected.substr(at, 1448)), Timestamp{1, 0});
    }
    EXPECT_EQ(buffers.in_use(Tier::kTiny), 1u);
    // Two segments fit a tiny buffer: every third one flushes the two before.
    EXPECT_EQ(slurp(flushed), expected.substr(0, 6 * 1448));
    uint8_t back[4];
    ASSERT_TRUE(sink.read_back(expected.size() - 4, back, 4));
    EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 4), expected.substr(expected.size() - 4));
    sink.close(Timestamp{2, 0});
  }
  for (auto& b : taken) buffers.release(std::move(b), Tier::kSmall);
  EXPECT_EQ(slurp(flushed), expected);
  EXPECT_EQ(buffers.in_use(Tier::kTiny), 0u);
}

// A first write larger than a tiny buffer takes a small one at once.
TEST_F(DirectSinkTest, ALargeFirstWriteTakesASmallBuffer) {
  std::string path = dir.path() + "/flow";
  FlowFileSink sink(writer, buffers, path, false, stats);
  std::string first(WriteBuffers::kTinyBufferSize + 1, 'q');
  sink.write(0, view(first), Timestamp{1, 0});
  EXPECT_EQ(buffers.in_use(Tier::kTiny), 0u);
  EXPECT_EQ(buffers.in_use(Tier::kSmall), 1u);
  sink.close(Timestamp{2, 0});
  EXPECT_EQ(slurp(path), first);
}

// Large buffers are refused while most small ones are taken (many flows at
// once) and beyond their own cap.
TEST(WriteBuffers, LargeBuffersOnlyWhileSmallOnesAreFree) {
  WriteBuffers cache;
  std::vector<WriteBuffers::Buffer> small;
  for (int i = 0; i < 768; ++i) small.push_back(cache.reserve(Tier::kSmall));
  WriteBuffers::Buffer granted = cache.reserve(Tier::kLarge);
  EXPECT_NE(granted, nullptr);  // exactly three quarters in use
  cache.release(std::move(granted), Tier::kLarge);
  small.push_back(cache.reserve(Tier::kSmall));
  EXPECT_EQ(cache.reserve(Tier::kLarge), nullptr);
  for (auto& b : small) cache.release(std::move(b), Tier::kSmall);
  std::vector<WriteBuffers::Buffer> large;
  while (auto b = cache.reserve(Tier::kLarge)) large.push_back(std::move(b));
  EXPECT_GE(large.size(), 16u);
  EXPECT_EQ(cache.in_use(Tier::kLarge), large.size());
  for (auto& b : large) cache.release(std::move(b), Tier::kLarge);
  EXPECT_EQ(cache.in_use(Tier::kLarge), 0u);
}

// Far more sinks open than buffers: none is handed out, and the sinks that
// held one (the first of the crowd) write out what it held and give it back
// the moment the crowd forms; their files stay whole.
TEST_F(DirectSinkTest, ACrowdOfSinksTakesTheBuffersBack) {
  std::string held = dir.path() + "/held";
  std::string large = dir.path() + "/large";
  FlowFileSink short_flow(writer, buffers, held, false, stats);
  FlowFileSink long_flow(writer, buffers, large, false, stats);
  short_flow.write(0, view("GET /"), Timestamp{1, 0});
  std::string chunk(1000, 'x');  // fills its small buffer often enough to get a large one
  for (int i = 0; i < 80; ++i) long_flow.write(i * chunk.size(), view(chunk), Timestamp{1, 0});
  long_flow.write(80 * chunk.size(), view("tail"), Timestamp{1, 0});
  ASSERT_EQ(buffers.in_use(Tier::kTiny), 1u);
  ASSERT_EQ(buffers.in_use(Tier::kLarge), 1u);
  EXPECT_EQ(slurp(held), "");  // still in the buffer

  for (size_t i = 2; i < WriteBuffers::kCrowdedSinks; ++i) buffers.sink_opened();
  EXPECT_FALSE(buffers.crowded());
  buffers.sink_opened();
  EXPECT_TRUE(buffers.crowded());
  EXPECT_EQ(short_buffers_in_use(buffers), 0u);
  EXPECT_EQ(buffers.in_use(Tier::kLarge), 0u);
  EXPECT_EQ(slurp(held), "GET /");
  for (Tier tier : {Tier::kTiny, Tier::kSmall, Tier::kLarge}) {
    EXPECT_EQ(buffers.reserve(tier), nullptr);
  }

  short_flow.write(5, view(" HTTP/1.1"), Timestamp{2, 0});  // straight through
  EXPECT_EQ(short_buffers_in_use(buffers), 0u);
  EXPECT_EQ(slurp(held), "GET / HTTP/1.1");
  short_flow.close(Timestamp{3, 0});
  long_flow.close(Timestamp{3, 0});
  EXPECT_EQ(slurp(large), std::string(80 * chunk.size(), 'x') + "tail");

  for (size_t i = 1; i < WriteBuffers::kCrowdedSinks; ++i) buffers.sink_closed();
  EXPECT_FALSE(buffers.crowded());  // the crowd has gone: buffers again
  FlowFileSink next(writer, buffers, dir.path() + "/next", false, stats);
  next.write(0, view("a"), Timestamp{4, 0});
  EXPECT_EQ(buffers.in_use(Tier::kTiny), 1u);
  next.close(Timestamp{5, 0});
  EXPECT_EQ(buffers.in_use(Tier::kTiny), 0u);
}

// Holders leave the list in any order; each one left is still asked.
TEST(WriteBuffers, HoldersLeaveInAnyOrder) {
  struct CountingHolder : WriteBuffers::Holder {
    WriteBuffers* buffers = nullptr;
    int asked = 0;
    void give_back_buffer() override {
      ++asked;
      buffers->not_holding(*this);
    }
  };
  WriteBuffers buffers;
  std::vector<CountingHolder> holders(5);
  for (auto& holder : holders) {
    holder.buffers = &buffers;
    buffers.holding(holder);
  }
  buffers.not_holding(holders[1]);
  buffers.not_holding(holders[4]);
  for (size_t i = 0; i <= WriteBuffers::kCrowdedSinks; ++i) buffers.sink_opened();
  EXPECT_EQ(holders[0].asked + holders[2].asked + holders[3].asked, 3);
  EXPECT_EQ(holders[1].asked + holders[4].asked, 0);
  buffers.sink_opened();  // already crowded: nobody is asked again
  EXPECT_EQ(holders[0].asked, 1);
}

TEST(FlowFileSink, WithABackgroundWriterEveryFileIsWrittenByIt) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  WriteBuffers buffers;
  BackgroundFileWriter writer(small_limits(1, 1), cache);  // one descriptor: files are evicted
  std::string path = dir.path() + "/flow";
  std::ofstream(path) << "old content that is longer";
  FlowFileSink sink(writer, buffers, path, false, stats);
  sink.write(0, view("GET / "), Timestamp{1, 0});
  sink.write(6, view("HTTP/1.1"), Timestamp{2, 0});
  uint8_t back[3];
  EXPECT_TRUE(sink.read_back(2, back, 3));  // from the buffer: no job yet
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 3), "T /");
  EXPECT_EQ(writer.submitted(), 0u);
  EXPECT_EQ(slurp(path), "old content that is longer");
  sink.quiesce(Timestamp{2, 0});  // the connection closed: the bytes go to the writer
  EXPECT_EQ(short_buffers_in_use(buffers), 0u);
  const uint64_t last = writer.submitted();
  EXPECT_EQ(last, 2u);  // create, write
  writer.wait_for(last);
  EXPECT_EQ(slurp(path), "GET / HTTP/1.1");

  // Another file takes the writer's only descriptor.
  std::string other = dir.path() + "/other";
  FlowFileSink second(writer, buffers, other, false, stats);
  std::string big(40000, 'q');  // more than a buffer: straight to the writer
  second.write(0, view(big), Timestamp{5, 0});
  second.write(big.size(), view("tail"), Timestamp{6, 0});

  EXPECT_TRUE(sink.read_back(0, back, 3));  // a late retransmission is compared on disk
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 3), "GET");
  sink.write(14, view("\r\n"), Timestamp{3, 0});  // late bytes: reopened in place
  const uint64_t first_closed = sink.close(Timestamp{1234567890, 0}).pending_job;
  writer.wait_for(second.close(Timestamp{1500000000, 0}).pending_job);
  EXPECT_GT(first_closed, last);
  EXPECT_EQ(slurp(path), "GET / HTTP/1.1\r\n");
  EXPECT_EQ(mtime_sec(path), 1234567890);  // set by path: its descriptor was evicted
  EXPECT_EQ(slurp(other), big + "tail");
  EXPECT_EQ(mtime_sec(other), 1500000000);

  // Bytes before the first one seen: the file is shifted, through the writer.
  std::string shifted = dir.path() + "/shifted";
  FlowFileSink moved(writer, buffers, shifted, false, stats);
  moved.write(0, view("abc"), Timestamp{1, 0});
  moved.quiesce(Timestamp{1, 0});
  EXPECT_TRUE(moved.shift(2));
  moved.write(0, view("xy"), Timestamp{1, 0});
  writer.wait_for(moved.close(Timestamp{1600000000, 0}).pending_job);
  EXPECT_EQ(slurp(shifted), "xyabc");
  EXPECT_EQ(mtime_sec(shifted), 1600000000);

  EXPECT_EQ(short_buffers_in_use(buffers), 0u);
  EXPECT_EQ(stats.get(Counter::kWriteErrors), 0u);
  for (uint64_t t = 1; t <= writer.submitted(); ++t) EXPECT_FALSE(writer.take_error(t)) << t;
}

// A retransmission reaching back from the sink's buffer into bytes already
// handed to the writer is compared without flushing the buffer or staging
// the file (without --compress there is nothing to stage): either made the
// packet thread wait for the writers to finish everything submitted.
TEST(FlowFileSink, AReadBackAcrossTheBufferSubmitsNoJob) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  WriteBuffers buffers;
  BackgroundWriter::Limits limits = small_limits(4, 64);
  limits.compress_while_writing = true;  // as a run without --compress sets it up
  EXPECT_FALSE(BackgroundWriter(limits).compresses_while_writing());
  BackgroundFileWriter writer(limits, cache);
  std::string path = dir.path() + "/flow";
  FlowFileSink sink(writer, buffers, path, false, stats);
  std::string big(40000, 'a');  // more than a buffer: straight to the writer
  sink.write(0, view(big), Timestamp{1, 0});
  sink.write(big.size(), view("tail"), Timestamp{2, 0});  // buffered
  const uint64_t before = writer.submitted();
  EXPECT_EQ(before, 2u);  // create, write
  uint8_t back[8];
  EXPECT_TRUE(sink.read_back(big.size() - 4, back, 8));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 8), "aaaatail");
  EXPECT_EQ(writer.submitted(), before);
  writer.wait_for(sink.close(Timestamp{3, 0}).pending_job);
  EXPECT_EQ(slurp(path), big + "tail");
}

// Bytes written by two jobs, the newer overwriting part of the older, read
// back piece by piece from the batches the writer still holds.
TEST(FlowFileSink, AReadBackAcrossTwoWritesTakesEachPieceFromItsNewestJob) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  WriteBuffers buffers;
  BackgroundFileWriter writer(small_limits(4, 64), cache);
  std::string path = dir.path() + "/flow";
  FlowFileSink sink(writer, buffers, path, false, stats);
  sink.write(0, view(std::string(40000, 'a')), Timestamp{1, 0});
  sink.write(39996, view(std::string(40000, 'b')), Timestamp{2, 0});  // overlaps the last 4
  uint8_t back[10];
  EXPECT_TRUE(sink.read_back(39990, back, 10));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(back), 10), "aaaaaabbbb");
  EXPECT_EQ(writer.submitted(), 3u);  // create, write, write: nothing waited for
  writer.wait_for(sink.close(Timestamp{3, 0}).pending_job);
  EXPECT_EQ(slurp(path), std::string(39996, 'a') + std::string(40000, 'b'));
}

TEST(FlowFileSink, WithABackgroundWriterTheIndexIsWrittenOnThisThread) {
  TempDir dir;
  Stats stats;
  FdCache cache(4);
  WriteBuffers buffers;
  BackgroundFileWriter writer(small_limits(4, 8), cache);
  std::string indexed = dir.path() + "/indexed";
  FlowFileSink sink(writer, buffers, indexed, true, stats);
  sink.write(0, view("xy"), Timestamp{1, 0});
  uint64_t closed = sink.close(Timestamp{2, 0}).pending_job;
  EXPECT_EQ(slurp(indexed + ".findx"), "0|1.000000|2\n");
  writer.wait_for(closed);
  EXPECT_EQ(slurp(indexed), "xy");
  EXPECT_EQ(writer.submitted(), 3u);  // create, write, close
}

}  // namespace
}  // namespace tcpflow::output
