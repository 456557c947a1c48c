// Captures compressed with zstd, bzip2 and xz read like plain ones; cut or
// corrupt compressed input is a clear error, never a crash.
#include <bzlib.h>
#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>
#include <zstd.h>

#include <filesystem>

#include "capture/input_stream.h"
#include "util/stream_decoder.h"
#include "capture_test_util.h"

namespace tcpflow::capture::test {
namespace {

constexpr uint32_t kMicro = 0xa1b2c3d4;

Bytes pcap_file(uint32_t records, uint32_t payload_len) {
  Builder b;
  b.u32(kMicro).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
  Bytes file = b.bytes();
  uint64_t noise = 1;
  for (uint32_t i = 0; i < records; ++i) {
    Builder r;
    r.u32(i).u32(0).u32(payload_len).u32(payload_len);
    Bytes rec = r.bytes();
    // Pseudo-random payload: compressed, it still spans many blocks.
    for (uint32_t j = 0; j < payload_len; ++j) {
      noise = noise * 6364136223846793005ull + 1442695040888963407ull;
      rec.push_back(static_cast<uint8_t>(noise >> 56));
    }
    append(file, rec);
  }
  return file;
}

Bytes compress(CompressionFormat format, const Bytes& in) {
  Bytes out;
  if (format == CompressionFormat::kZstd) {
    out.resize(ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
    EXPECT_FALSE(ZSTD_isError(n));
    out.resize(n);
  } else if (format == CompressionFormat::kBzip2) {
    unsigned n = static_cast<unsigned>(in.size() + in.size() / 100 + 600);
    out.resize(n);
    char nothing = 0;  // bzip2 refuses a null source even for zero bytes
    EXPECT_EQ(BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &n,
                                       in.empty() ? &nothing : const_cast<char*>(reinterpret_cast<const char*>(in.data())),
                                       static_cast<unsigned>(in.size()), 9, 0, 0),
              BZ_OK);
    out.resize(n);
  } else {
    out.resize(lzma_stream_buffer_bound(in.size()));
    size_t n = 0;
    EXPECT_EQ(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, in.data(), in.size(),
                                      out.data(), &n, out.size()),
              LZMA_OK);
    out.resize(n);
  }
  return out;
}

// What reading `path` to its end says: the error of the open or of the
// last read ("" for a clean end), and how many records came first.
struct Outcome {
  std::string error;
  size_t records = 0;
  bool truncated = false;
};
Outcome read_to_end(const std::string& path) {
  Outcome out;
  try {
    auto src = open_capture_file(path, "");
    ReadStatus last;
    out.records = read_all(*src, &last).size();
    if (last == ReadStatus::kError) out.error = src->error();
    out.truncated = src->truncated();
  } catch (const std::exception& e) {
    out.error = e.what();
    out.truncated = out.error.find("truncated") != std::string::npos;
  }
  return out;
}

class CaptureCompressed : public ::testing::TestWithParam<CompressionFormat> {};

TEST_P(CaptureCompressed, MagicNumberIsRecognized) {
  Bytes packed = compress(GetParam(), pcap_file(1, 10));
  EXPECT_EQ(format_from_magic(packed.data(), packed.size()), GetParam());
  EXPECT_EQ(format_from_magic(packed.data(), 2), CompressionFormat::kNone);
}

TEST_P(CaptureCompressed, ReadsEveryRecordAcrossManyInputBuffers) {
  TempDir dir;
  std::string path = dir.file("big.pcap.x");
  // Several hundred KiB compressed: the decoder refills its input many times.
  Bytes plain = pcap_file(3000, 1400);
  write_file(path, compress(GetParam(), plain));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  auto got = read_all(*src, &last);
  EXPECT_EQ(last, ReadStatus::kEnd) << src->error();
  ASSERT_EQ(got.size(), 3000u);
  EXPECT_EQ(got[2999].sec, 2999);
  InputStream in(path);
  Bytes back;
  while (in.ensure(1)) {
    back.insert(back.end(), in.data(), in.data() + in.available());
    in.consume(in.available());
  }
  EXPECT_FALSE(in.failed());
  EXPECT_TRUE(in.compressed());
  EXPECT_EQ(back, plain);
}

TEST_P(CaptureCompressed, SmallReadsGetEveryByteIncludingTheLastBlocksTail) {
  TempDir dir;
  std::string path = dir.file("small.x");
  Bytes plain = pcap_file(300, 1000);
  write_file(path, compress(GetParam(), plain));
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  auto decoder = make_stream_decoder(GetParam(), fd);
  Bytes back;
  uint8_t buf[777];
  int got;
  while ((got = decoder->read(buf, sizeof buf)) > 0) back.insert(back.end(), buf, buf + got);
  ::close(fd);
  EXPECT_EQ(got, 0) << decoder->error();
  EXPECT_FALSE(decoder->truncated());
  EXPECT_EQ(back, plain);
}

TEST_P(CaptureCompressed, ConcatenatedStreamsReadAsOne) {
  TempDir dir;
  std::string path = dir.file("two.pcap.x");
  Bytes whole = pcap_file(40, 100);
  size_t cut = 24 + 3 * (16 + 100) + 5;  // mid-record
  Bytes first(whole.begin(), whole.begin() + cut), second(whole.begin() + cut, whole.end());
  write_file(path, concat({compress(GetParam(), first), compress(GetParam(), second)}));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  EXPECT_EQ(read_all(*src, &last).size(), 40u);
  EXPECT_EQ(last, ReadStatus::kEnd) << src->error();
}

TEST_P(CaptureCompressed, CutShortIsTruncation) {
  TempDir dir;
  std::string path = dir.file("cut.pcap.x");
  Bytes packed = compress(GetParam(), pcap_file(400, 1400));
  packed.resize(packed.size() * 2 / 3);
  write_file(path, packed);
  Outcome got = read_to_end(path);
  EXPECT_LT(got.records, 400u);
  EXPECT_TRUE(got.truncated) << got.error;
  EXPECT_NE(got.error.find("truncated"), std::string::npos) << got.error;
}

TEST_P(CaptureCompressed, CutInTheStreamTrailerIsStillTruncation) {
  TempDir dir;
  std::string path = dir.file("trailer.pcap.x");
  Bytes packed = compress(GetParam(), pcap_file(5, 20));
  packed.resize(packed.size() - 4);  // the checksum / end of stream marker
  write_file(path, packed);
  Outcome got = read_to_end(path);
  EXPECT_TRUE(got.truncated) << got.error;
  EXPECT_NE(got.error.find(format_name(GetParam())), std::string::npos) << got.error;
}

TEST_P(CaptureCompressed, CorruptDataIsAnErrorNamingTheFormat) {
  TempDir dir;
  std::string path = dir.file("bad.pcap.x");
  // Only the magic number is right: zstd frames carry no checksum by
  // default, so damage inside a block is not always detectable, a bad header is.
  Bytes packed = compress(GetParam(), pcap_file(200, 300));
  for (size_t i = kMaxMagicLen; i < packed.size(); ++i) packed[i] = 0xff;
  write_file(path, packed);
  Outcome got = read_to_end(path);
  EXPECT_EQ(got.records, 0u);
  EXPECT_NE(got.error.find(format_name(GetParam())), std::string::npos) << got.error;
}

TEST_P(CaptureCompressed, EmptyDecompressedFileIsNamedInTheError) {
  TempDir dir;
  std::string path = dir.file("empty.pcap.x");
  write_file(path, compress(GetParam(), Bytes{}));
  try {
    open_capture_file(path, "");
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(std::string("after ") + format_name(GetParam())),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, CaptureCompressed,
                         ::testing::Values(CompressionFormat::kZstd, CompressionFormat::kBzip2,
                                           CompressionFormat::kXz),
                         [](const auto& info) { return std::string(format_name(info.param)); });

TEST(CapturePeek, PipeBytesAreSeenWithoutBeingConsumed) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "BZh9rest", 8), 8);
  uint8_t seen[kMaxMagicLen];
  ASSERT_EQ(peek_bytes(p[0], seen, sizeof seen), sizeof seen);
  EXPECT_EQ(format_from_magic(seen, sizeof seen), CompressionFormat::kBzip2);
  char all[8];
  EXPECT_EQ(::read(p[0], all, sizeof all), 8);
  EXPECT_EQ(std::string(all, 8), "BZh9rest");
  ::close(p[0]);
  ::close(p[1]);
}

TEST(CapturePeek, ShortPipeReturnsWhatItHasAtTheEnd) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "BZ", 2), 2);
  ::close(p[1]);
  uint8_t seen[kMaxMagicLen];
  EXPECT_EQ(peek_bytes(p[0], seen, sizeof seen), 2u);
  EXPECT_EQ(format_from_magic(seen, 2), CompressionFormat::kNone);
  ::close(p[0]);
}

TEST(CapturePeek, RegularFileIsPeekedFromItsCurrentOffset) {
  TempDir dir;
  std::string path = dir.file("f");
  write_file(path, Bytes{'x', 0x28, 0xb5, 0x2f, 0xfd, 1, 2});
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::lseek(fd, 1, SEEK_SET), 1);
  uint8_t seen[4];
  ASSERT_EQ(peek_bytes(fd, seen, 4), 4u);
  EXPECT_EQ(format_from_magic(seen, 4), CompressionFormat::kZstd);
  EXPECT_EQ(::lseek(fd, 0, SEEK_CUR), 1);
  ::close(fd);
}

}  // namespace
}  // namespace tcpflow::capture::test
