// Each compressor writes a stream its library decompresses to exactly the
// plain file's bytes (holes and empty files included), with the file's mtime.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "compressed_test_util.h"
#include "output/file_compressor.h"
#include "util/byte_entropy.h"

namespace tcpflow::output {
namespace {

using Bytes = std::vector<uint8_t>;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/compressor_test.XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Bytes unpack(Codec codec, const Bytes& in) {
  Unpacked out = unpack_all(codec, in);
  EXPECT_EQ(out.streams, 1u);
  return out.bytes;
}

Bytes sample(size_t len) {
  Bytes out(len);
  uint64_t x = 42;
  for (size_t i = 0; i < len; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    // Half text-like, half noise: compressible but not trivially.
    out[i] = (i / 4096) % 2 ? static_cast<uint8_t>(x >> 56) : static_cast<uint8_t>('a' + i % 23);
  }
  return out;
}

class FileCompressor : public ::testing::TestWithParam<Codec> {};

TEST_P(FileCompressor, DecompressesToThePlainBytes) {
  TempDir dir;
  std::string plain = dir.file("flow");
  Bytes data = sample(1300 * 1000);  // several of the compressor's chunks
  write_file(plain, data);
  CompressedFile packed = compress_file(plain, CompressionOptions{GetParam(), 0});
  ASSERT_TRUE(packed.ok) << packed.error;
  EXPECT_EQ(packed.path, plain + codec_suffix(GetParam()));
  EXPECT_EQ(packed.original, data.size());
  Bytes stored = read_file(packed.path);
  EXPECT_EQ(packed.compressed, stored.size());
  EXPECT_LT(stored.size(), data.size());
  EXPECT_EQ(unpack(GetParam(), stored), data);
  EXPECT_TRUE(std::filesystem::exists(plain));  // the caller removes it
}

TEST_P(FileCompressor, SparseHolesAndEmptyFilesRoundTrip) {
  TempDir dir;
  std::string plain = dir.file("holes");
  {
    std::FILE* f = std::fopen(plain.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 500000, SEEK_SET);
    std::fputs("after the hole", f);
    std::fclose(f);
  }
  Bytes want = read_file(plain);
  CompressedFile packed = compress_file(plain, CompressionOptions{GetParam(), 0});
  ASSERT_TRUE(packed.ok) << packed.error;
  EXPECT_EQ(unpack(GetParam(), read_file(packed.path)), want);

  std::string empty = dir.file("empty");
  write_file(empty, Bytes{});
  CompressedFile none = compress_file(empty, CompressionOptions{GetParam(), 0});
  ASSERT_TRUE(none.ok) << none.error;
  EXPECT_EQ(none.original, 0u);
  EXPECT_EQ(unpack(GetParam(), read_file(none.path)), Bytes{});
}

TEST_P(FileCompressor, LevelsChangeTheOutputNotTheBytes) {
  TempDir dir;
  std::string plain = dir.file("lv");
  Bytes data = sample(400000);
  write_file(plain, data);
  CompressedFile fast = compress_file(plain, CompressionOptions{GetParam(), 1});
  ASSERT_TRUE(fast.ok);
  Bytes fast_bytes = read_file(fast.path);
  CompressedFile best = compress_file(plain, CompressionOptions{GetParam(), std::min(codec_max_level(GetParam()), 9)});
  ASSERT_TRUE(best.ok);
  Bytes best_bytes = read_file(best.path);
  EXPECT_EQ(unpack(GetParam(), fast_bytes), data);
  EXPECT_EQ(unpack(GetParam(), best_bytes), data);
  if (GetParam() != Codec::kBzip2) {
    EXPECT_NE(fast_bytes, best_bytes);
  }
}

TEST_P(FileCompressor, KeepsThePlainFilesMtime) {
  TempDir dir;
  std::string plain = dir.file("t");
  write_file(plain, sample(1000));
  struct timespec times[2] = {{1000000000, 0}, {1234567890, 123456000}};
  ASSERT_EQ(::utimensat(AT_FDCWD, plain.c_str(), times, 0), 0);
  CompressedFile packed = compress_file(plain, CompressionOptions{GetParam(), 0});
  ASSERT_TRUE(packed.ok);
  struct stat st;
  ASSERT_EQ(::stat(packed.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1234567890);
  EXPECT_EQ(st.st_mtim.tv_nsec, 123456000);
}

TEST_P(FileCompressor, MissingOrUnwritableIsAnErrorNotACrash) {
  TempDir dir;
  CompressedFile missing = compress_file(dir.file("nope"), CompressionOptions{GetParam(), 0});
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("No such file"), std::string::npos) << missing.error;
  std::string plain = dir.file("x");
  write_file(plain, sample(10));
  // The compressed name is taken by a directory.
  std::filesystem::create_directory(plain + codec_suffix(GetParam()));
  CompressedFile blocked = compress_file(plain, CompressionOptions{GetParam(), 0});
  EXPECT_FALSE(blocked.ok);
  EXPECT_NE(blocked.error.find("cannot create"), std::string::npos) << blocked.error;
}

INSTANTIATE_TEST_SUITE_P(Codecs, FileCompressor,
                         ::testing::Values(Codec::kGzip, Codec::kZstd, Codec::kBzip2),
                         [](const auto& info) { return std::string(codec_name(info.param)); });

Bytes noise(size_t len, uint64_t seed) {
  Bytes out(len);
  for (size_t i = 0; i < len; ++i) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    out[i] = static_cast<uint8_t>(seed >> 56);
  }
  return out;
}

Bytes prose(size_t len) {
  static const std::string kWords =
      "GET /index.html HTTP/1.1\r\nHost: example.org\r\nAccept: text/html\r\n"
      "the quick brown fox jumps over the lazy dog while the flows are recorded ";
  Bytes out;
  for (size_t i = 0; out.size() < len; ++i) {
    out.insert(out.end(), kWords.begin() + static_cast<long>(i % 17), kWords.end());
  }
  out.resize(len);
  return out;
}

// One stream written by a compressor into a fresh file.
Bytes one_stream(Compressor& compressor, const std::string& path, const Bytes& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  EXPECT_GE(fd, 0);
  compressor.begin(fd, data.size());
  EXPECT_TRUE(compressor.feed(ByteView(data.data(), data.size()), true)) << compressor.error();
  ::close(fd);
  return read_file(path);
}

// Near-random streams are stored at the codec's fastest setting (the gain
// is in time only, which make bench measures); what matters here is that
// the choice is made stream by stream: text after noise, with the same
// compressor, still gets the level asked for.
TEST_P(FileCompressor, TextAfterNoiseStillGetsTheLevelAskedFor) {
  TempDir dir;
  const Codec codec = GetParam();
  std::unique_ptr<Compressor> reused = make_compressor(CompressionOptions{codec, 0});
  std::unique_ptr<Compressor> fresh = make_compressor(CompressionOptions{codec, 0});
  Bytes random = noise(200000, 7);
  ASSERT_TRUE(looks_incompressible(ByteView(random.data(), random.size())));
  Bytes text = prose(200000);
  ASSERT_FALSE(looks_incompressible(ByteView(text.data(), text.size())));

  Bytes stored = one_stream(*reused, dir.file("noise"), random);
  EXPECT_EQ(unpack(codec, stored), random);
  EXPECT_LT(stored.size(), random.size() + random.size() / 100);  // no blow-up
  Bytes after_noise = one_stream(*reused, dir.file("text1"), text);
  Bytes alone = one_stream(*fresh, dir.file("text2"), text);
  EXPECT_EQ(unpack(codec, after_noise), text);
  EXPECT_EQ(after_noise, alone);
  EXPECT_LT(after_noise.size(), text.size() / 20);
}

// Whole near-random streams become zstd frames of stored blocks, written
// without running zstd: the frame is exactly the bytes plus a 14-byte
// header and 3 bytes per 128 KiB block, and libzstd reads it back.
TEST(ZstdStoredFrames, NearRandomStreamsAreStoredBlocksZstdReads) {
  TempDir dir;
  std::unique_ptr<Compressor> zstd = make_compressor(CompressionOptions{Codec::kZstd, 0});
  for (size_t len : {size_t{1024}, size_t{131072}, size_t{131073}, size_t{300000},
                     size_t{1} << 20}) {
    Bytes random = noise(len, len);
    Bytes stream = one_stream(*zstd, dir.file("stored"), random);
    const size_t blocks = (len + 131071) / 131072;
    EXPECT_EQ(stream.size(), 14 + 3 * blocks + len) << len;
    Unpacked back = unpack_all(Codec::kZstd, stream);
    EXPECT_EQ(back.streams, 1u);
    EXPECT_EQ(back.bytes, random) << len;
    EXPECT_EQ(ZSTD_getFrameContentSize(stream.data(), stream.size()), len);
  }
  // Longer ones, or ones fed in pieces, go through zstd at its fastest
  // level: compressed frames, still the same bytes.
  Bytes longer = noise((size_t{1} << 20) + 1, 5);
  Bytes stream = one_stream(*zstd, dir.file("longer"), longer);
  EXPECT_EQ(unpack_all(Codec::kZstd, stream).bytes, longer);
}

TEST(FileCompressorNames, ParseAndSuffixes) {
  EXPECT_EQ(parse_codec("gzip"), Codec::kGzip);
  EXPECT_EQ(parse_codec("zstd"), Codec::kZstd);
  EXPECT_EQ(parse_codec("bzip2"), Codec::kBzip2);
  EXPECT_FALSE(parse_codec("xz").has_value());
  EXPECT_FALSE(parse_codec("").has_value());
  EXPECT_STREQ(codec_suffix(Codec::kGzip), ".gz");
  EXPECT_STREQ(codec_suffix(Codec::kZstd), ".zst");
  EXPECT_STREQ(codec_suffix(Codec::kBzip2), ".bz2");
}

}  // namespace
}  // namespace tcpflow::output
