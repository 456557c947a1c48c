// The read-ahead thread (-j 2+) must hand the parser exactly the bytes a
// plain read would, across chunk boundaries, for plain and gzip input, and
// report a truncated gzip the same way; and the queue it is built on.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <thread>

#include "capture/input_stream.h"
#include "capture_test_util.h"
#include "util/bounded_queue.h"

namespace tcpflow::capture::test {
namespace {

Bytes pattern(size_t n) {
  Bytes b(n);
  uint32_t x = 12345;
  for (auto& c : b) {
    x = x * 1103515245u + 12345u;
    c = static_cast<uint8_t>(x >> 16);
  }
  return b;
}

void write_plain(const std::string& path, const Bytes& b) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()),
                                              static_cast<std::streamsize>(b.size()));
}

void write_gzip(const std::string& path, const Bytes& b) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, b.data(), static_cast<unsigned>(b.size()));
  gzclose(gz);
}

// Reads the whole stream in odd-sized steps, as the parsers do.
Bytes drain(InputStream& in) {
  Bytes out;
  size_t step = 1;
  while (in.ensure(step)) {
    out.insert(out.end(), in.data(), in.data() + step);
    in.consume(step);
    step = step * 7 % 70001 + 1;
  }
  out.insert(out.end(), in.data(), in.data() + in.available());
  return out;
}

TEST(ReadAhead, PlainFileStaysOnTheMainThreadWithTheSameBytes) {
  TempDir dir;
  Bytes data = pattern((size_t{7} << 20) / 2 + 123);  // 3.5 MiB: several chunks
  write_plain(dir.file("a"), data);
  InputStream threaded(dir.file("a"), true);
  EXPECT_EQ(drain(threaded), data);
  EXPECT_FALSE(threaded.failed());
  EXPECT_FALSE(threaded.compressed());
}

TEST(ReadAhead, GzipFileGivesTheSameBytes) {
  TempDir dir;
  Bytes data = pattern(size_t{5} << 20);
  write_gzip(dir.file("a.gz"), data);
  InputStream threaded(dir.file("a.gz"), true);
  EXPECT_EQ(drain(threaded), data);
  EXPECT_TRUE(threaded.compressed());
  EXPECT_FALSE(threaded.gzip_truncated());
}

TEST(ReadAhead, TruncatedGzipIsReportedLikeWithoutThread) {
  TempDir dir;
  Bytes data = pattern(size_t{3} << 20);
  write_gzip(dir.file("a.gz"), data);
  std::filesystem::resize_file(dir.file("a.gz"), std::filesystem::file_size(dir.file("a.gz")) / 2);
  InputStream plain(dir.file("a.gz"), false);
  InputStream threaded(dir.file("a.gz"), true);
  EXPECT_EQ(drain(threaded), drain(plain));
  EXPECT_EQ(threaded.gzip_truncated(), plain.gzip_truncated());
  EXPECT_EQ(threaded.failed(), plain.failed());
}

TEST(ReadAhead, StoppingEarlyJoinsTheThread) {
  TempDir dir;
  write_gzip(dir.file("a.gz"), pattern(size_t{9} << 20));
  InputStream threaded(dir.file("a.gz"), true);
  ASSERT_TRUE(threaded.ensure(10));
  // Destroyed with most of the file unread: must not hang.
}

TEST(BoundedQueue, KeepsOrderAndBlocksWhenFull) {
  BoundedQueue<int> q(2);
  std::thread producer([&q] {
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(q.push(i));
    q.close();
  });
  for (int i = 0; i < 1000; ++i) {
    auto v = q.pop();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, i);
  }
  EXPECT_FALSE(q.pop().has_value());
  producer.join();
}

TEST(BoundedQueue, CloseWakesABlockedProducer) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.push(1));
  std::thread producer([&q] { EXPECT_FALSE(q.push(2)); });
  q.close();
  producer.join();
  EXPECT_EQ(q.pop().value_or(-1), 1);  // what was queued before close() is still delivered
  EXPECT_FALSE(q.pop().has_value());
}

}  // namespace
}  // namespace tcpflow::capture::test
