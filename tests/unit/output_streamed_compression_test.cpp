// Files compressed while they are written (output/streamed_compression and
// the background writer's compress_while_writing): each codec's own library
// reads the file, stream after stream, back to exactly the bytes a plain
// file would hold; anything out of order asks for staging, and staging
// gives the plain file back; recent bytes are read back from the writer's
// memory without waiting.
#include <bzlib.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "output/background_writer.h"
#include "output/streamed_compression.h"
#include "output_test_util.h"

namespace tcpflow::output {
namespace {

using Bytes = std::vector<uint8_t>;
using Outcome = StreamedCompression::Outcome;

// Every stream of the input, one after another.
Bytes gunzip_all(const std::string& in) {
  Bytes out;
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  uint8_t buf[4096];
  while (z.avail_in > 0) {
    z.next_out = buf;
    z.avail_out = sizeof buf;
    int ret = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), buf, buf + (sizeof buf - z.avail_out));
    if (ret == Z_STREAM_END) {
      inflateReset(&z);
    } else if (ret != Z_OK) {
      ADD_FAILURE() << "inflate: " << ret;
      break;
    }
  }
  inflateEnd(&z);
  return out;
}

Bytes unzstd_all(const std::string& in) {
  Bytes out;
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  uint8_t buf[4096];
  while (src.pos < src.size) {
    ZSTD_outBuffer dst{buf, sizeof buf, 0};
    size_t ret = ZSTD_decompressStream(ctx, &dst, &src);
    if (ZSTD_isError(ret)) {
      ADD_FAILURE() << ZSTD_getErrorName(ret);
      break;
    }
    out.insert(out.end(), buf, buf + dst.pos);
  }
  ZSTD_freeDCtx(ctx);
  return out;
}

Bytes bunzip_all(const std::string& in) {
  Bytes out;
  size_t at = 0;
  char buf[4096];
  while (at < in.size()) {
    bz_stream bz{};
    EXPECT_EQ(BZ2_bzDecompressInit(&bz, 0, 0), BZ_OK);
    bz.next_in = const_cast<char*>(in.data() + at);
    bz.avail_in = static_cast<unsigned>(in.size() - at);
    int ret;
    do {
      bz.next_out = buf;
      bz.avail_out = sizeof buf;
      ret = BZ2_bzDecompress(&bz);
      out.insert(out.end(), buf, buf + (sizeof buf - bz.avail_out));
    } while (ret == BZ_OK);
    EXPECT_EQ(ret, BZ_STREAM_END);
    at = in.size() - bz.avail_in;
    BZ2_bzDecompressEnd(&bz);
    if (ret != BZ_STREAM_END) break;
  }
  return out;
}

Bytes unpack_all(Codec codec, const std::string& in) {
  if (codec == Codec::kGzip) return gunzip_all(in);
  if (codec == Codec::kZstd) return unzstd_all(in);
  return bunzip_all(in);
}

Bytes pattern(size_t len, uint8_t seed) {
  Bytes out(len);
  for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(seed + i * 7 + i / 13);
  return out;
}

ByteView slice(const Bytes& bytes, size_t from, size_t to) {
  return ByteView(bytes.data() + from, to - from);
}

class Streamed : public ::testing::TestWithParam<Codec> {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/flow";
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override { ::close(fd_); }
  Bytes decompressed() const { return unpack_all(GetParam(), slurp(path_)); }

  TempDir dir_;
  std::string path_;
  int fd_ = -1;
  std::string error_;
};

TEST_P(Streamed, InOrderWritesDecompressToTheBytes) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20);
  StreamedFile file;
  Bytes bytes = pattern(100000, 3);
  for (size_t at = 0; at < bytes.size(); at += 30000) {
    size_t end = std::min(bytes.size(), at + 30000);
    EXPECT_EQ(streamer.write(file, fd_, slice(bytes, at, end), at, error_), Outcome::kWritten);
  }
  ASSERT_TRUE(streamer.finish(file, fd_, error_)) << error_;
  EXPECT_EQ(file.next, bytes.size());
  EXPECT_EQ(file.compressed, slurp(path_).size());
  EXPECT_EQ(decompressed(), bytes);
}

TEST_P(Streamed, BytesBeyondAHoleWaitAndAHoleLeftBecomesZeros) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20);
  StreamedFile file;
  Bytes bytes = pattern(500, 9);
  EXPECT_EQ(streamer.write(file, fd_, slice(bytes, 0, 100), 0, error_), Outcome::kWritten);
  EXPECT_EQ(streamer.write(file, fd_, slice(bytes, 300, 400), 300, error_), Outcome::kWritten);
  EXPECT_EQ(streamer.write(file, fd_, slice(bytes, 450, 500), 450, error_), Outcome::kWritten);
  EXPECT_EQ(file.next, 100u);
  EXPECT_EQ(file.beyond_hole_bytes, 150u);
  // The late segment fills the first hole: what followed it goes out too.
  EXPECT_EQ(streamer.write(file, fd_, slice(bytes, 100, 300), 100, error_), Outcome::kWritten);
  EXPECT_EQ(file.next, 400u);
  ASSERT_TRUE(streamer.finish(file, fd_, error_)) << error_;
  Bytes want = bytes;
  std::fill(want.begin() + 400, want.begin() + 450, 0);  // never filled: as a sparse file reads
  EXPECT_EQ(decompressed(), want);
}

TEST_P(Streamed, RewritesAndOverlapsAskForStaging) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20);
  StreamedFile file;
  Bytes bytes = pattern(400, 1);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 0, 100), 0, error_), Outcome::kWritten);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 200, 300), 200, error_), Outcome::kWritten);
  // Below what is compressed, over kept bytes, or running into them.
  EXPECT_EQ(streamer.write(file, fd_, slice(bytes, 50, 150), 50, error_), Outcome::kStage);
  EXPECT_EQ(streamer.write(file, fd_, slice(bytes, 250, 260), 250, error_), Outcome::kStage);
  EXPECT_EQ(streamer.write(file, fd_, slice(bytes, 190, 210), 190, error_), Outcome::kStage);
  EXPECT_EQ(streamer.write(file, fd_, slice(bytes, 100, 210), 100, error_), Outcome::kStage);
  EXPECT_EQ(file.next, 100u);  // nothing was written by those
}

TEST_P(Streamed, ASpentBudgetAsksForStagingAndForgettingGivesItBack) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 100);
  StreamedFile one, two;
  Bytes bytes = pattern(300, 5);
  EXPECT_EQ(streamer.write(one, fd_, slice(bytes, 0, 80), 1000, error_), Outcome::kWritten);
  EXPECT_EQ(streamer.write(two, fd_, slice(bytes, 0, 80), 1000, error_), Outcome::kStage);
  streamer.forget(one);
  EXPECT_EQ(one.beyond_hole_bytes, 0u);
  EXPECT_EQ(streamer.write(two, fd_, slice(bytes, 0, 80), 1000, error_), Outcome::kWritten);
}

TEST_P(Streamed, StagingGivesBackThePlainFile) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20);
  StreamedFile file;
  Bytes bytes = pattern(70000, 2);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 0, 40000), 0, error_), Outcome::kWritten);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 40000, 60000), 40000, error_),
            Outcome::kWritten);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 65000, 70000), 65000, error_),
            Outcome::kWritten);
  std::string plain_path = dir_.path() + "/plain";
  int plain = ::open(plain_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(plain, 0);
  int compressed = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_TRUE(streamer.stage(file, compressed, plain, error_)) << error_;
  ::close(compressed);
  ::close(plain);
  Bytes want = bytes;
  std::fill(want.begin() + 60000, want.begin() + 65000, 0);
  std::string got = slurp(plain_path);
  EXPECT_EQ(Bytes(got.begin(), got.end()), want);
  EXPECT_EQ(file.next, 0u);
  EXPECT_TRUE(file.beyond_hole.empty());
}

TEST_P(Streamed, AnEmptyFileIsStillAStream) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20);
  StreamedFile file;
  ASSERT_TRUE(streamer.finish(file, fd_, error_)) << error_;
  EXPECT_GT(slurp(path_).size(), 0u);
  EXPECT_TRUE(decompressed().empty());
}

INSTANTIATE_TEST_SUITE_P(Codecs, Streamed,
                         ::testing::Values(Codec::kGzip, Codec::kZstd, Codec::kBzip2),
                         [](const auto& info) { return std::string(codec_name(info.param)); });

BackgroundWriter::Limits streaming_limits() {
  BackgroundWriter::Limits limits = small_limits(8, 2);
  limits.compression = CompressionOptions{Codec::kZstd, 0};
  limits.compress_while_writing = true;
  return limits;
}

TEST(BackgroundWriterStreaming, NoPlainFileOnlyTheCompressedOne) {
  TempDir dir;
  std::string path = dir.path() + "/flow";
  write_file_for_test(path, "an earlier run's plain file");
  BackgroundWriter writer(streaming_limits());
  Bytes bytes = pattern(50000, 4);
  uint64_t file = writer.create(path);
  writer.write(file, 0, slice(bytes, 0, 20000));
  writer.write(file, 30000, slice(bytes, 30000, 50000));  // beyond a hole
  writer.write(file, 20000, slice(bytes, 20000, 30000));
  uint64_t closed = writer.close(file, Timestamp{1234, 0});
  writer.wait_for(closed);
  EXPECT_FALSE(writer.take_error(closed).has_value());
  std::optional<CompressedFile> packed = writer.take_compressed(path);
  ASSERT_TRUE(packed.has_value());
  EXPECT_TRUE(packed->ok);
  EXPECT_EQ(packed->path, path + ".zst");
  EXPECT_FALSE(packed->plain_left);
  EXPECT_EQ(packed->original, bytes.size());
  EXPECT_EQ(packed->compressed, slurp(path + ".zst").size());
  EXPECT_EQ(unzstd_all(slurp(path + ".zst")), bytes);
  EXPECT_EQ(mtime_sec(path + ".zst"), 1234);
  EXPECT_NE(::access(path.c_str(), F_OK), 0);  // the earlier plain file went
  EXPECT_FALSE(writer.take_compressed(path).has_value());  // taken once
}

TEST(BackgroundWriterStreaming, StagingMakesThePlainFileAndTheCloseCompressesIt) {
  TempDir dir;
  std::string path = dir.path() + "/flow";
  BackgroundWriter writer(streaming_limits());
  Bytes bytes = pattern(3000, 8);
  uint64_t file = writer.create(path);
  writer.write(file, 0, slice(bytes, 0, 2000));
  uint64_t staged = writer.stage(file);
  writer.wait_for(staged);
  EXPECT_EQ(slurp(path), std::string(bytes.begin(), bytes.begin() + 2000));
  EXPECT_NE(::access((path + ".zst").c_str(), F_OK), 0);
  writer.write(file, 1000, view("rewritten"));  // below the end: a plain file takes it
  writer.write(file, 2000, slice(bytes, 2000, 3000));
  uint64_t closed = writer.close(file, Timestamp{});
  writer.wait_for(closed);
  Bytes want = bytes;
  std::string word = "rewritten";
  std::copy(word.begin(), word.end(), want.begin() + 1000);
  std::optional<CompressedFile> packed = writer.take_compressed(path);
  ASSERT_TRUE(packed.has_value());
  ASSERT_TRUE(packed->ok) << packed->error;
  EXPECT_TRUE(packed->plain_left);
  EXPECT_EQ(unzstd_all(slurp(path + ".zst")), want);
  EXPECT_EQ(slurp(path), std::string(want.begin(), want.end()));  // left for the caller
}

TEST(BackgroundWriter, ReadsBackRecentBytesFromItsOwnMemory) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(8, 1000);  // nothing handed over yet
  BackgroundWriter writer(limits);
  uint64_t file = writer.create(dir.path() + "/flow");
  uint64_t first = writer.write(file, 0, view("hello, world"));
  uint64_t other = writer.create(dir.path() + "/other");
  uint64_t second = writer.write(file, 12, view("!!"));
  uint8_t out[5] = {};
  ASSERT_TRUE(writer.read_written(file, first, 7, out, 5));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 5), "world");
  EXPECT_FALSE(writer.read_written(file, first, 10, out, 4));   // past what that job wrote
  EXPECT_FALSE(writer.read_written(other, first, 0, out, 2));   // another file's job
  EXPECT_FALSE(writer.read_written(file, other, 0, out, 2));    // not a write job
  ASSERT_TRUE(writer.read_written(file, second, 12, out, 2));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 2), "!!");
  // Handed over and done, the batch stays readable for a while.
  writer.wait_for(second);
  ASSERT_TRUE(writer.read_written(file, first, 0, out, 5));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 5), "hello");
}

}  // namespace
}  // namespace tcpflow::output
