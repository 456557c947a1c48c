// PcapWriter: the written file is a nanosecond classic pcap that our reader
// (and libpcap) reads back exactly; errors surface as false, not exceptions.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "capture/pcap_writer.h"
#include "capture_test_util.h"
#include "util/error.h"

namespace tcpflow::capture::test {
namespace {

Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Record make_record(int64_t sec, uint32_t nsec, const Bytes& data, uint32_t wire_len) {
  Record r;
  r.ts = Timestamp{sec, nsec};
  r.caplen = static_cast<uint32_t>(data.size());
  r.wire_len = wire_len;
  r.link_type = kLinkLinuxSll;
  r.data = ByteView(data.data(), data.size());
  return r;
}

TEST(CapturePcapWriter, RoundTripKeepsNanosecondsAndBytes) {
  TempDir dir;
  std::string path = dir.file("out.pcap");
  Bytes a = sll_frame(ipv4_packet(true, 1, 2));
  Bytes b = {0xde, 0xad};
  Bytes empty;
  {
    PcapWriter w(path, kLinkLinuxSll, 65535);
    EXPECT_EQ(w.link_type(), kLinkLinuxSll);
    EXPECT_TRUE(w.write(make_record(1700000000, 999999999, a, 1500)));
    EXPECT_TRUE(w.write(make_record(1, 1, b, 2)));
    EXPECT_TRUE(w.write(make_record(0xfffffffe, 0, empty, 0)));
  }  // the destructor flushes and closes

  Bytes file = read_bytes(path);
  ASSERT_GE(file.size(), 24u);
  Bytes expected_header = {0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                           0x00, 0x00, 0x04, 0x00, 113, 0, 0, 0};
  EXPECT_EQ(Bytes(file.begin(), file.begin() + 24), expected_header);
  EXPECT_EQ(file.size(), 24u + 3 * 16 + a.size() + b.size());

  auto src = open_capture_file(path, "");
  EXPECT_EQ(src->primary_link_type(), kLinkLinuxSll);
  EXPECT_EQ(src->snaplen(), 262144u);
  ReadStatus last;
  auto got = read_all(*src, &last);
  EXPECT_EQ(last, ReadStatus::kEnd);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].sec, 1700000000);
  EXPECT_EQ(got[0].nsec, 999999999u);
  EXPECT_EQ(got[0].wire_len, 1500u);
  EXPECT_EQ(got[0].data, a);
  EXPECT_EQ(got[0].link_type, kLinkLinuxSll);
  EXPECT_EQ(got[1].sec, 1);
  EXPECT_EQ(got[1].nsec, 1u);
  EXPECT_EQ(got[1].data, b);
  EXPECT_EQ(got[2].sec, 0xfffffffe);
  EXPECT_EQ(got[2].caplen, 0u);
}

TEST(CapturePcapWriter, ReadableThroughTheBpfPathToo) {
  TempDir dir;
  std::string path = dir.file("bpf.pcap");
  Bytes http = sll_frame(ipv4_packet(true, 1, 80));
  Bytes other = sll_frame(ipv4_packet(true, 1, 81));
  {
    PcapWriter w(path, kLinkLinuxSll, 0);
    w.write(make_record(1, 0, other, 56));
    w.write(make_record(2, 0, http, 56));
  }
  auto got = read_all(*open_capture_file(path, "tcp dst port 80"));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sec, 2);
}

TEST(CapturePcapWriter, DltRawIsStoredAsLinktypeRaw) {
  TempDir dir;
  std::string path = dir.file("raw.pcap");
  { PcapWriter w(path, 12 /* DLT_RAW on Linux */, 1500); }
  auto src = open_capture_file(path, "");
  EXPECT_EQ(src->primary_link_type(), kLinkRaw);
}

TEST(CapturePcapWriter, RecordsLongerThanTheFileSnaplenAreCut) {
  TempDir dir;
  Bytes jumbo(300000, 0x5a);
  std::string small = dir.file("small.pcap");
  std::string large = dir.file("large.pcap");
  {
    PcapWriter w(small, kLinkEthernet, 100);  // raised to 262144
    EXPECT_TRUE(w.write(make_record(1, 0, jumbo, 300000)));
    PcapWriter w2(large, kLinkEthernet, 400000);
    EXPECT_TRUE(w2.write(make_record(1, 0, jumbo, 300000)));
  }
  auto cut = read_all(*open_capture_file(small, ""));
  ASSERT_EQ(cut.size(), 1u);
  EXPECT_EQ(cut[0].caplen, 262144u);
  EXPECT_EQ(cut[0].wire_len, 300000u);
  EXPECT_EQ(cut[0].data, Bytes(262144, 0x5a));
  auto whole = read_all(*open_capture_file(large, ""));
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].data, jumbo);
}

TEST(CapturePcapWriter, CannotCreateThrowsNamingThePath) {
  TempDir dir;
  std::string path = dir.file("no/such/dir/out.pcap");
  try {
    PcapWriter w(path, kLinkEthernet, 0);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot create pcap file: No such file or directory");
  }
}

TEST(CapturePcapWriter, DiskFullIsReportedAsFalse) {
  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  PcapWriter w("/dev/full", kLinkEthernet, 0);
  Bytes data(100, 1);
  EXPECT_TRUE(w.write(make_record(1, 0, data, 100)));  // still in the stdio buffer
  EXPECT_FALSE(w.flush());
  EXPECT_FALSE(w.write(make_record(2, 0, data, 100)));
}

}  // namespace
}  // namespace tcpflow::capture::test
