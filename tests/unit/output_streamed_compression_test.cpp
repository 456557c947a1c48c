// Files compressed while they are written (output/streamed_compression and
// the background writer's compress_while_writing): each codec's own library
// reads the file, stream after stream, back to exactly the bytes a plain
// file would hold; anything out of order asks for staging, and staging
// gives the plain file back; recent bytes are read back from the writer's
// memory without waiting.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "compressed_test_util.h"
#include "output/background_writer.h"
#include "output/streamed_compression.h"
#include "util/unique_fd.h"
#include "output_test_util.h"

namespace tcpflow::output {
namespace {

using Bytes = std::vector<uint8_t>;
using Outcome = StreamedCompression::Outcome;

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
  Bytes decompressed() const { return unpack_all(GetParam(), slurp(path_)).bytes; }
  // Stages `file` from the compressed file into a new plain file; returns its bytes.
  Bytes stage_into_plain(StreamedCompression& streamer, StreamedFile& file) {
    const std::string plain_path = dir_.path() + "/plain";
    UniqueFd plain(::open(plain_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    UniqueFd compressed(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    EXPECT_GE(plain.get(), 0);
    EXPECT_TRUE(streamer.stage(file, compressed.get(), plain.get(), error_)) << error_;
    const std::string got = slurp(plain_path);
    return Bytes(got.begin(), got.end());
  }
  size_t streams() const { return unpack_all(GetParam(), slurp(path_)).streams; }

  TempDir dir_;
  std::string path_;
  int fd_ = -1;
  std::string error_;
};

TEST_P(Streamed, InOrderWritesDecompressToTheBytes) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, 1 << 20);
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
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, 1 << 20);
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
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, 1 << 20);
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
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 100, 1 << 20);
  StreamedFile one, two;
  Bytes bytes = pattern(300, 5);
  EXPECT_EQ(streamer.write(one, fd_, slice(bytes, 0, 80), 1000, error_), Outcome::kWritten);
  EXPECT_EQ(streamer.write(two, fd_, slice(bytes, 0, 80), 1000, error_), Outcome::kStage);
  streamer.forget(one);
  EXPECT_EQ(one.beyond_hole_bytes, 0u);
  EXPECT_EQ(streamer.write(two, fd_, slice(bytes, 0, 80), 1000, error_), Outcome::kWritten);
}

TEST_P(Streamed, StagingGivesBackThePlainFile) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, 1 << 20);
  StreamedFile file;
  Bytes bytes = pattern(70000, 2);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 0, 40000), 0, error_), Outcome::kWritten);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 40000, 60000), 40000, error_),
            Outcome::kWritten);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 65000, 70000), 65000, error_),
            Outcome::kWritten);
  Bytes want = bytes;
  std::fill(want.begin() + 60000, want.begin() + 65000, 0);
  EXPECT_EQ(stage_into_plain(streamer, file), want);
  EXPECT_EQ(file.next, 0u);
  EXPECT_TRUE(file.beyond_hole.empty());
}

TEST_P(Streamed, AnEmptyFileIsStillAStream) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, 1 << 20);
  StreamedFile file;
  ASSERT_TRUE(streamer.finish(file, fd_, error_)) << error_;
  EXPECT_GT(slurp(path_).size(), 0u);
  EXPECT_TRUE(decompressed().empty());
}

TEST_P(Streamed, ShortWritesGatherIntoLongStreams) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, 1 << 20);
  StreamedFile file;
  Bytes bytes = pattern(200 * 1400, 6);
  for (size_t at = 0; at < bytes.size(); at += 1400) {
    ASSERT_EQ(streamer.write(file, fd_, slice(bytes, at, at + 1400), at, error_),
              Outcome::kWritten);
  }
  EXPECT_GT(streamer.gathering_bytes(), 0u);  // the last 16,800 bytes wait
  ASSERT_TRUE(streamer.finish(file, fd_, error_)) << error_;
  EXPECT_EQ(streamer.gathering_bytes(), 0u);
  EXPECT_EQ(decompressed(), bytes);
  // A stream once 128 KiB have gathered (94 writes of 1,400), and the rest
  // at the close: not a stream per write.
  EXPECT_EQ(streams(), 3u);
}

TEST_P(Streamed, StagingWritesTheGatheredBytesToo) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, 1 << 20);
  StreamedFile file;
  Bytes bytes = pattern(200000, 8);
  // 131,072 bytes make a stream; the next 40,000 are gathered; 20,000
  // more wait beyond a hole.
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 0, 131072), 0, error_), Outcome::kWritten);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 131072, 171072), 131072, error_),
            Outcome::kWritten);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 180000, 200000), 180000, error_),
            Outcome::kWritten);
  EXPECT_EQ(file.gathered.size(), 40000u);
  Bytes want = bytes;
  std::fill(want.begin() + 171072, want.begin() + 180000, 0);
  EXPECT_EQ(stage_into_plain(streamer, file), want);
  EXPECT_EQ(streamer.gathering_bytes(), 0u);
  EXPECT_EQ(streamer.kept_bytes(), 0u);
}

// Many files open at once: past the budget, a file's write compresses
// what that file gathered, so the memory held never passes the budget.
TEST_P(Streamed, GatheringStaysWithinItsBudget) {
  constexpr size_t kBudget = 40 << 10;
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, kBudget);
  std::vector<StreamedFile> files(5);
  std::vector<int> fds;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string path = dir_.path() + "/f" + std::to_string(i);
    fds.push_back(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ASSERT_GE(fds.back(), 0);
  }
  Bytes bytes = pattern(30000, 2);
  size_t peak = 0;
  for (size_t at = 0; at < bytes.size(); at += 1000) {
    for (size_t i = 0; i < files.size(); ++i) {
      ASSERT_EQ(streamer.write(files[i], fds[i], slice(bytes, at, at + 1000), at, error_),
                Outcome::kWritten);
      peak = std::max(peak, streamer.gathering_bytes());
    }
  }
  EXPECT_LE(peak, kBudget);
  EXPECT_GT(peak, 0u);
  for (size_t i = 0; i < files.size(); ++i) {
    ASSERT_TRUE(streamer.finish(files[i], fds[i], error_)) << error_;
    ::close(fds[i]);
    EXPECT_EQ(unpack_all(GetParam(), slurp(dir_.path() + "/f" + std::to_string(i))).bytes,
              bytes);
  }
  EXPECT_EQ(streamer.gathering_bytes(), 0u);
}

TEST_P(Streamed, ForgettingAFileGivesItsGatheredBytesBack) {
  StreamedCompression streamer(CompressionOptions{GetParam(), 0}, 1 << 20, 1 << 20);
  StreamedFile file;
  Bytes bytes = pattern(5000, 1);
  ASSERT_EQ(streamer.write(file, fd_, slice(bytes, 0, 5000), 0, error_), Outcome::kWritten);
  EXPECT_GT(streamer.gathering_bytes(), 0u);
  streamer.forget(file);
  EXPECT_EQ(streamer.gathering_bytes(), 0u);
  EXPECT_TRUE(file.gathered.empty());
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
  EXPECT_EQ(unpack_all(Codec::kZstd, slurp(path + ".zst")).bytes, bytes);
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
  EXPECT_EQ(unpack_all(Codec::kZstd, slurp(path + ".zst")).bytes, want);
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
