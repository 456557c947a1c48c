// Each compressor writes a stream its library decompresses to exactly the
// plain file's bytes (holes and empty files included), with the file's mtime.
#include <bzlib.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "output/file_compressor.h"

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

Bytes gunzip(const Bytes& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  Bytes out;
  uint8_t buf[65536];
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  int ret;
  do {
    z.next_out = buf;
    z.avail_out = sizeof buf;
    ret = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), buf, buf + (sizeof buf - z.avail_out));
  } while (ret == Z_OK);
  EXPECT_EQ(ret, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

Bytes unzstd(const Bytes& in) {
  unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  Bytes out;
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  uint8_t buf[65536];
  size_t ret = 1;
  while (src.pos < src.size || ret != 0) {
    ZSTD_outBuffer dst{buf, sizeof buf, 0};
    ret = ZSTD_decompressStream(ctx, &dst, &src);
    EXPECT_FALSE(ZSTD_isError(ret));
    if (ZSTD_isError(ret)) break;
    out.insert(out.end(), buf, buf + dst.pos);
    if (dst.pos == 0 && src.pos == src.size) break;
  }
  ZSTD_freeDCtx(ctx);
  (void)size;
  return out;
}

Bytes bunzip(const Bytes& in) {
  bz_stream bz{};
  EXPECT_EQ(BZ2_bzDecompressInit(&bz, 0, 0), BZ_OK);
  Bytes out;
  char buf[65536];
  bz.next_in = const_cast<char*>(reinterpret_cast<const char*>(in.data()));
  bz.avail_in = static_cast<unsigned>(in.size());
  int ret;
  do {
    bz.next_out = buf;
    bz.avail_out = sizeof buf;
    ret = BZ2_bzDecompress(&bz);
    out.insert(out.end(), buf, buf + (sizeof buf - bz.avail_out));
  } while (ret == BZ_OK && !(bz.avail_in == 0 && bz.avail_out != 0));
  EXPECT_EQ(ret, BZ_STREAM_END);
  BZ2_bzDecompressEnd(&bz);
  return out;
}

Bytes unpack(Codec codec, const Bytes& in) {
  if (codec == Codec::kGzip) return gunzip(in);
  if (codec == Codec::kZstd) return unzstd(in);
  return bunzip(in);
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
