// Classic pcap reading: byte orders, timestamp precisions, gzip, standard
// input, truncation, open errors and BPF filtering.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/packet_source.h"
#include "capture_test_util.h"
#include "util/error.h"

namespace tcpflow::capture::test {
namespace {

constexpr uint32_t kMicro = 0xa1b2c3d4;
constexpr uint32_t kNano = 0xa1b23c4d;
constexpr uint32_t kModified = 0xa1b2cd34;

Bytes pcap_header(bool big, uint32_t magic, uint32_t snaplen, uint32_t link_type) {
  Builder b(big);
  b.u32(magic).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(link_type);
  return b.bytes();
}

Bytes pcap_record(bool big, uint32_t sec, uint32_t frac, const Bytes& data, uint32_t wire_len) {
  Builder b(big);
  b.u32(sec).u32(frac).u32(static_cast<uint32_t>(data.size())).u32(wire_len).raw(data);
  return b.bytes();
}

Bytes payload(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i);
  return b;
}

std::string open_error(const std::string& path, const std::string& bpf = "") {
  try {
    open_capture_file(path, bpf);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(CapturePcap, BothByteOrdersAndPrecisionsGiveExactTimestamps) {
  TempDir dir;
  for (bool big : {false, true}) {
    for (bool nano : {false, true}) {
      SCOPED_TRACE(std::string(big ? "big" : "little") + (nano ? " nano" : " micro"));
      std::string path = dir.file("t.pcap");
      write_file(path, concat({pcap_header(big, nano ? kNano : kMicro, 65535, 1),
                               pcap_record(big, 1700000000, nano ? 123456789 : 123456,
                                           payload(60, 1), 60),
                               pcap_record(big, 1700000001, nano ? 999999999 : 999999,
                                           payload(4, 9), 1514)}));
      auto src = open_capture_file(path, "");
      EXPECT_EQ(src->primary_link_type(), 1);
      EXPECT_EQ(src->snaplen(), 65535u);
      ReadStatus last;
      auto got = read_all(*src, &last);
      ASSERT_EQ(got.size(), 2u);
      EXPECT_EQ(got[0].sec, 1700000000);
      EXPECT_EQ(got[0].nsec, nano ? 123456789u : 123456000u);
      EXPECT_EQ(got[0].caplen, 60u);
      EXPECT_EQ(got[0].wire_len, 60u);
      EXPECT_EQ(got[0].link_type, 1);
      EXPECT_EQ(got[0].interface_id, 0u);
      EXPECT_EQ(got[0].data, payload(60, 1));
      EXPECT_EQ(got[1].sec, 1700000001);
      EXPECT_EQ(got[1].nsec, nano ? 999999999u : 999999000u);
      EXPECT_EQ(got[1].caplen, 4u);
      EXPECT_EQ(got[1].wire_len, 1514u);
      EXPECT_EQ(got[1].data, payload(4, 9));
      EXPECT_EQ(last, ReadStatus::kEnd);
      EXPECT_EQ(src->error(), "");
      EXPECT_FALSE(src->truncated());
      Record r;
      EXPECT_EQ(src->next(r), ReadStatus::kEnd);
    }
  }
}

TEST(CapturePcap, ModifiedFormatHasLongerRecordHeaders) {
  TempDir dir;
  std::string path = dir.file("kuznetzov.pcap");
  Builder rec(false);
  // sec, usec, caplen, len, ifindex, protocol, pkt_type, pad
  rec.u32(42).u32(7).u32(3).u32(3).u32(2).u16(0x0800).u8(0).u8(0).raw({0xaa, 0xbb, 0xcc});
  write_file(path, concat({pcap_header(false, kModified, 65535, 1), rec.bytes(), rec.bytes()}));
  auto src = open_capture_file(path, "");
  auto got = read_all(*src);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].sec, 42);
  EXPECT_EQ(got[1].nsec, 7000u);
  EXPECT_EQ(got[1].data, (Bytes{0xaa, 0xbb, 0xcc}));
}

TEST(CapturePcap, OutOfRangeFractionCarriesIntoSeconds) {
  TempDir dir;
  std::string path = dir.file("carry.pcap");
  write_file(path, concat({pcap_header(false, kMicro, 65535, 1),
                           pcap_record(false, 10, 2500000, payload(1, 0), 1)}));
  auto got = read_all(*open_capture_file(path, ""));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sec, 12);
  EXPECT_EQ(got[0].nsec, 500000000u);
}

TEST(CapturePcap, LinkTypeFieldIgnoresFcsBits) {
  TempDir dir;
  std::string path = dir.file("fcs.pcap");
  write_file(path, concat({pcap_header(false, kMicro, 65535, 0x14000000 | 101),
                           pcap_record(false, 1, 0, payload(1, 0), 1)}));
  auto src = open_capture_file(path, "");
  EXPECT_EQ(src->primary_link_type(), 101);
  EXPECT_EQ(read_all(*src).at(0).link_type, 101);
}

TEST(CapturePcap, GzipCompressedFileIsDecompressed) {
  TempDir dir;
  std::string path = dir.file("looks_plain.pcap");  // extension must not matter
  write_gzip_file(path, concat({pcap_header(true, kNano, 262144, 113),
                                pcap_record(true, 5, 6, payload(100, 3), 100),
                                pcap_record(true, 7, 8, payload(200, 4), 300)}));
  auto src = open_capture_file(path, "");
  EXPECT_EQ(src->primary_link_type(), 113);
  ReadStatus last;
  auto got = read_all(*src, &last);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].sec, 5);
  EXPECT_EQ(got[0].nsec, 6u);
  EXPECT_EQ(got[0].data, payload(100, 3));
  EXPECT_EQ(got[1].sec, 7);
  EXPECT_EQ(got[1].nsec, 8u);
  EXPECT_EQ(got[1].wire_len, 300u);
  EXPECT_EQ(got[1].data, payload(200, 4));
  EXPECT_EQ(last, ReadStatus::kEnd);
}

TEST(CapturePcap, DashReadsStandardInput) {
  TempDir dir;
  std::string path = dir.file("stdin.pcap");
  write_gzip_file(path, concat({pcap_header(false, kMicro, 65535, 1),
                                pcap_record(false, 99, 1, payload(10, 5), 10)}));
  int saved = dup(STDIN_FILENO);
  int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(dup2(fd, STDIN_FILENO), STDIN_FILENO);
  close(fd);
  std::vector<Got> got;
  {
    auto src = open_capture_file("-", "");
    got = read_all(*src);
  }
  dup2(saved, STDIN_FILENO);
  close(saved);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sec, 99);
  EXPECT_EQ(got[0].nsec, 1000u);
  EXPECT_EQ(got[0].data, payload(10, 5));
}

TEST(CapturePcap, TruncatedInsideRecordDataAfterGoodRecords) {
  TempDir dir;
  std::string path = dir.file("trunc.pcap");
  Bytes third = pcap_record(false, 3, 0, payload(50, 0), 50);
  third.resize(16 + 20);
  write_file(path, concat({pcap_header(false, kMicro, 65535, 1),
                           pcap_record(false, 1, 0, payload(50, 1), 50),
                           pcap_record(false, 2, 0, payload(50, 2), 50), third}));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  auto got = read_all(*src, &last);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].sec, 2);
  EXPECT_EQ(got[1].data, payload(50, 2));
  EXPECT_EQ(last, ReadStatus::kError);
  EXPECT_EQ(src->error(), "truncated inside a record (36 bytes left at the end)");
  EXPECT_TRUE(src->truncated());
  Record r;
  EXPECT_EQ(src->next(r), ReadStatus::kError);
}

TEST(CapturePcap, TruncatedInsideRecordHeader) {
  TempDir dir;
  std::string path = dir.file("trunc_hdr.pcap");
  write_file(path, concat({pcap_header(true, kMicro, 65535, 1),
                           pcap_record(true, 1, 0, payload(8, 1), 8), Bytes(7, 0)}));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  EXPECT_EQ(read_all(*src, &last).size(), 1u);
  EXPECT_EQ(last, ReadStatus::kError);
  EXPECT_EQ(src->error(), "truncated inside a record (7 bytes left at the end)");
  EXPECT_TRUE(src->truncated());
}

TEST(CapturePcap, GzipStreamCutShortIsTruncation) {
  TempDir dir;
  std::string gz = dir.file("cut.pcap.gz");
  Bytes file = pcap_header(false, kMicro, 65535, 1);
  for (uint32_t i = 0; i < 3; ++i) append(file, pcap_record(false, i, 0, payload(30, 1), 30));
  write_gzip_file(gz, file);
  // Drop the 8-byte gzip trailer: all data is there but the stream is unfinished.
  std::filesystem::resize_file(gz, std::filesystem::file_size(gz) - 8);
  auto src = open_capture_file(gz, "");
  ReadStatus last;
  EXPECT_EQ(read_all(*src, &last).size(), 3u);
  EXPECT_EQ(last, ReadStatus::kError);
  EXPECT_EQ(src->error(), "truncated inside a record (the gzip stream ends early)");
  EXPECT_TRUE(src->truncated());
}

TEST(CapturePcap, HugeCapturedLengthIsAnErrorNotAnAllocation) {
  TempDir dir;
  std::string path = dir.file("huge.pcap");
  Builder rec(false);
  rec.u32(1).u32(0).u32(0x7fffffff).u32(0x7fffffff).raw(payload(16, 0));
  write_file(path, concat({pcap_header(false, kMicro, 65535, 1),
                           pcap_record(false, 1, 0, payload(8, 1), 8), rec.bytes()}));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  EXPECT_EQ(read_all(*src, &last).size(), 1u);
  EXPECT_EQ(last, ReadStatus::kError);
  EXPECT_EQ(src->error(), "bad record: captured length 2147483647 exceeds the maximum of 262144");
  EXPECT_FALSE(src->truncated());
}

TEST(CapturePcap, RecordsLargerThanTheInitialBufferAndManyRecords) {
  TempDir dir;
  std::string path = dir.file("big.pcap");
  Bytes file = pcap_header(false, kNano, 4u << 20, 1);
  append(file, pcap_record(false, 1, 2, payload(3u << 20, 7), 3u << 20));
  for (uint32_t i = 0; i < 30000; ++i)
    append(file, pcap_record(false, i, i, payload(61 + i % 50, static_cast<uint8_t>(i)), 9000));
  write_file(path, file);
  auto src = open_capture_file(path, "");
  ReadStatus last;
  auto got = read_all(*src, &last);
  EXPECT_EQ(last, ReadStatus::kEnd);
  ASSERT_EQ(got.size(), 30001u);
  EXPECT_EQ(got[0].data, payload(3u << 20, 7));
  for (uint32_t i = 0; i < 30000; ++i) {
    ASSERT_EQ(got[i + 1].sec, i);
    ASSERT_EQ(got[i + 1].nsec, i);
    ASSERT_EQ(got[i + 1].data, payload(61 + i % 50, static_cast<uint8_t>(i)));
  }
}

TEST(CaptureOpen, MissingFileNamesTheFile) {
  TempDir dir;
  std::string path = dir.file("capture.pcap");
  EXPECT_EQ(open_error(path), path + ": No such file or directory");
}

TEST(CaptureOpen, EmptyFile) {
  TempDir dir;
  std::string path = dir.file("empty.pcap");
  write_file(path, {});
  EXPECT_EQ(open_error(path), path + ": empty file (not a pcap or pcapng capture)");
}

TEST(CaptureOpen, NotACaptureShowsTheMagic) {
  TempDir dir;
  std::string path = dir.file("x.txt");
  std::string text = "hello world\n";
  write_file(path, Bytes(text.begin(), text.end()));
  EXPECT_EQ(open_error(path), path + ": not a pcap or pcapng capture (unknown magic 0x68656c6c)");
  std::string gz = dir.file("x.txt.gz");
  write_gzip_file(gz, Bytes(text.begin(), text.end()));
  EXPECT_EQ(open_error(gz), gz +
                                ": not a pcap or pcapng capture (unknown magic 0x68656c6c after "
                                "gzip decompression)");
}

TEST(CaptureOpen, TooShortForAMagic) {
  TempDir dir;
  std::string path = dir.file("short");
  write_file(path, {0xd4, 0xc3});
  EXPECT_EQ(open_error(path), path + ": not a pcap or pcapng capture (only 2 bytes)");
}

TEST(CaptureOpen, DirectoryIsRefused) {
  TempDir dir;
  std::string path = dir.file("sub");
  ASSERT_EQ(mkdir(path.c_str(), 0700), 0);
  EXPECT_EQ(open_error(path), path + ": Is a directory");
}

TEST(CaptureOpen, TruncatedFileHeader) {
  TempDir dir;
  std::string path = dir.file("hdr.pcap");
  Bytes header = pcap_header(false, kMicro, 65535, 1);
  header.resize(10);
  write_file(path, header);
  EXPECT_EQ(open_error(path), path + ": truncated pcap file header (10 of 24 bytes)");
}

TEST(CaptureOpen, UnsupportedVersion) {
  TempDir dir;
  std::string path = dir.file("v.pcap");
  Builder b(false);
  b.u32(kMicro).u16(1).u16(0).u32(0).u32(0).u32(65535).u32(1);
  write_file(path, b.bytes());
  EXPECT_EQ(open_error(path), path + ": unsupported pcap version 1.0");
}

TEST(CaptureOpen, ZeroRecordFileEndsCleanly) {
  TempDir dir;
  std::string path = dir.file("none.pcap");
  write_file(path, pcap_header(false, kMicro, 65535, 1));
  auto src = open_capture_file(path, "");
  Record r;
  EXPECT_EQ(src->next(r), ReadStatus::kEnd);
  EXPECT_FALSE(src->truncated());
}

TEST(CaptureBpf, FilterSelectsRecordsOfAClassicFile) {
  TempDir dir;
  std::string path = dir.file("f.pcap");
  Bytes http = ethernet_frame(ipv4_packet(true, 40000, 80));
  Bytes https = ethernet_frame(ipv4_packet(true, 40001, 443));
  Bytes dns = ethernet_frame(ipv4_packet(false, 53, 80));
  write_file(path, concat({pcap_header(false, kMicro, 65535, 1),
                           pcap_record(false, 1, 0, https, 54),
                           pcap_record(false, 2, 0, http, 54),
                           pcap_record(false, 3, 0, dns, 42),
                           pcap_record(false, 4, 0, http, 54)}));
  auto tcp80 = read_all(*open_capture_file(path, "tcp port 80"));
  ASSERT_EQ(tcp80.size(), 2u);
  EXPECT_EQ(tcp80[0].sec, 2);
  EXPECT_EQ(tcp80[0].data, http);
  EXPECT_EQ(tcp80[1].sec, 4);
  auto port80 = read_all(*open_capture_file(path, "port 80"));
  ASSERT_EQ(port80.size(), 3u);
  EXPECT_EQ(port80[1].sec, 3);
  EXPECT_EQ(read_all(*open_capture_file(path, "icmp")).size(), 0u);
}

TEST(CaptureBpf, RawIpLinkTypeCompiles) {
  TempDir dir;
  std::string path = dir.file("raw.pcap");
  write_file(path, concat({pcap_header(true, kMicro, 65535, kLinkRaw),
                           pcap_record(true, 1, 0, ipv4_packet(true, 1234, 80), 40),
                           pcap_record(true, 2, 0, ipv4_packet(true, 1234, 81), 40)}));
  auto got = read_all(*open_capture_file(path, "tcp port 80"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sec, 1);
  EXPECT_EQ(got[0].link_type, kLinkRaw);
}

TEST(CaptureBpf, ExpressionThatCannotApplyToTheLinkTypeThrows) {
  TempDir dir;
  std::string path = dir.file("odd.pcap");
  write_file(path, pcap_header(false, kMicro, 65535, 65000));
  std::string msg = open_error(path, "tcp port 80");
  EXPECT_EQ(msg.rfind("bad filter expression 'tcp port 80': ", 0), 0u) << msg;
  EXPECT_NE(msg.find("65000"), std::string::npos) << msg;
}

TEST(CaptureBpf, BadExpressionThrows) {
  TempDir dir;
  std::string path = dir.file("f.pcap");
  write_file(path, pcap_header(false, kMicro, 65535, 1));
  std::string msg = open_error(path, "tcp port");
  EXPECT_EQ(msg.rfind("bad filter expression 'tcp port': ", 0), 0u) << msg;
  EXPECT_GT(msg.size(), std::string("bad filter expression 'tcp port': ").size());
}

}  // namespace
}  // namespace tcpflow::capture::test
