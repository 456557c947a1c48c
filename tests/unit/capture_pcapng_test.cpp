// pcapng reading: mixed link types and timestamp resolutions, both byte
// orders, every packet block type, skipped blocks, sections, gzip, malformed
// and truncated blocks, and BPF over several link types.
#include <gtest/gtest.h>

#include "capture/packet_source.h"
#include "capture_test_util.h"
#include "util/error.h"

namespace tcpflow::capture::test {
namespace {

struct Option {
  uint16_t code;
  Bytes value;
};

Bytes block(bool big, uint32_t type, const Bytes& body) {
  Bytes padded = body;
  while (padded.size() % 4 != 0) padded.push_back(0);
  uint32_t len = static_cast<uint32_t>(12 + padded.size());
  Builder b(big);
  b.u32(type).u32(len).raw(padded).u32(len);
  return b.bytes();
}

Bytes shb(bool big, uint16_t major = 1) {
  Builder body(big);
  body.u32(0x1a2b3c4d).u16(major).u16(0).u64(~uint64_t{0});
  return block(big, 0x0a0d0d0a, body.bytes());
}

Bytes idb(bool big, uint16_t link_type, uint32_t snaplen, const std::vector<Option>& options = {}) {
  Builder body(big);
  body.u16(link_type).u16(0).u32(snaplen);
  for (const Option& o : options) {
    body.u16(o.code).u16(static_cast<uint16_t>(o.value.size())).raw(o.value).pad4();
  }
  if (!options.empty()) body.u16(0).u16(0);
  return block(big, 1, body.bytes());
}

Option tsresol(uint8_t v) { return Option{9, {v}}; }

Option tsoffset(bool big, int64_t seconds) {
  Builder b(big);
  b.u64(static_cast<uint64_t>(seconds));
  return Option{14, b.bytes()};
}

Bytes epb(bool big, uint32_t iface, uint64_t ts, const Bytes& data, uint32_t wire_len) {
  Builder body(big);
  body.u32(iface).u32(static_cast<uint32_t>(ts >> 32)).u32(static_cast<uint32_t>(ts));
  body.u32(static_cast<uint32_t>(data.size())).u32(wire_len).raw(data);
  return block(big, 6, body.bytes());
}

Bytes spb(bool big, uint32_t wire_len, const Bytes& data) {
  Builder body(big);
  body.u32(wire_len).raw(data);
  return block(big, 3, body.bytes());
}

Bytes packet_block(bool big, uint16_t iface, uint64_t ts, const Bytes& data, uint32_t wire_len) {
  Builder body(big);
  body.u16(iface).u16(0).u32(static_cast<uint32_t>(ts >> 32)).u32(static_cast<uint32_t>(ts));
  body.u32(static_cast<uint32_t>(data.size())).u32(wire_len).raw(data);
  return block(big, 2, body.bytes());
}

Bytes bytes_of(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed * 7 + i);
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

// Ethernet at 10^-6 (explicit), cooked at 10^-9, raw IP at 2^-20 with an
// offset, and a second Ethernet interface with the default resolution.
Bytes mixed_file(bool big) {
  return concat({shb(big), idb(big, kLinkEthernet, 65535, {tsresol(6)}),
                 idb(big, kLinkLinuxSll, 262144, {tsresol(9)}),
                 idb(big, kLinkRaw, 1500, {tsresol(0x80 | 20), tsoffset(big, 1000)}),
                 idb(big, kLinkEthernet, 96),
                 epb(big, 0, 1700000000123456ull, bytes_of(60, 1), 60),
                 epb(big, 1, 1700000000123456789ull, bytes_of(61, 2), 1500),
                 epb(big, 2, (uint64_t{5} << 20) + (uint64_t{1} << 19), bytes_of(3, 3), 3),
                 epb(big, 2, (uint64_t{6} << 20) + (uint64_t{1} << 20) - 1, bytes_of(1, 4), 1),
                 epb(big, 3, 42000001ull, bytes_of(0, 5), 0)});
}

void expect_mixed_records(const std::vector<Got>& got) {
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].sec, 1700000000);
  EXPECT_EQ(got[0].nsec, 123456000u);
  EXPECT_EQ(got[0].link_type, kLinkEthernet);
  EXPECT_EQ(got[0].interface_id, 0u);
  EXPECT_EQ(got[0].caplen, 60u);
  EXPECT_EQ(got[0].wire_len, 60u);
  EXPECT_EQ(got[0].data, bytes_of(60, 1));

  EXPECT_EQ(got[1].sec, 1700000000);
  EXPECT_EQ(got[1].nsec, 123456789u);
  EXPECT_EQ(got[1].link_type, kLinkLinuxSll);
  EXPECT_EQ(got[1].interface_id, 1u);
  EXPECT_EQ(got[1].caplen, 61u);
  EXPECT_EQ(got[1].wire_len, 1500u);
  EXPECT_EQ(got[1].data, bytes_of(61, 2));

  EXPECT_EQ(got[2].sec, 1005);
  EXPECT_EQ(got[2].nsec, 500000000u);
  EXPECT_EQ(got[2].link_type, kLinkRaw);
  EXPECT_EQ(got[2].interface_id, 2u);
  EXPECT_EQ(got[2].data, bytes_of(3, 3));

  // (2^20 - 1) / 2^20 s = 999999046.3 ns, rounded down.
  EXPECT_EQ(got[3].sec, 1006);
  EXPECT_EQ(got[3].nsec, 999999046u);

  EXPECT_EQ(got[4].sec, 42);
  EXPECT_EQ(got[4].nsec, 1000u);
  EXPECT_EQ(got[4].link_type, kLinkEthernet);
  EXPECT_EQ(got[4].interface_id, 3u);
  EXPECT_EQ(got[4].caplen, 0u);
}

TEST(CapturePcapng, MixedLinkTypesAndResolutionsLittleEndian) {
  TempDir dir;
  std::string path = dir.file("mixed.pcap");  // a pcapng despite the name
  write_file(path, mixed_file(false));
  auto src = open_capture_file(path, "");
  EXPECT_EQ(src->primary_link_type(), kLinkEthernet);
  EXPECT_EQ(src->snaplen(), 65535u);
  ReadStatus last;
  expect_mixed_records(read_all(*src, &last));
  EXPECT_EQ(last, ReadStatus::kEnd);
  EXPECT_EQ(src->error(), "");
  EXPECT_FALSE(src->truncated());
}

TEST(CapturePcapng, MixedLinkTypesAndResolutionsBigEndian) {
  TempDir dir;
  std::string path = dir.file("mixed_be.pcapng");
  write_file(path, mixed_file(true));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  expect_mixed_records(read_all(*src, &last));
  EXPECT_EQ(last, ReadStatus::kEnd);
}

TEST(CapturePcapng, GzipCompressed) {
  TempDir dir;
  std::string path = dir.file("mixed.pcapng.gz");
  write_gzip_file(path, mixed_file(true));
  ReadStatus last;
  expect_mixed_records(read_all(*open_capture_file(path, ""), &last));
  EXPECT_EQ(last, ReadStatus::kEnd);
}

TEST(CapturePcapng, SimpleAndObsoletePacketBlocks) {
  TempDir dir;
  std::string path = dir.file("spb.pcapng");
  write_file(path, concat({shb(false), idb(false, kLinkEthernet, 8),
                           spb(false, 10, bytes_of(10, 1)),  // cut to the snaplen
                           spb(false, 3, bytes_of(3, 2)),    // padding is not data
                           packet_block(false, 0, 1500000, bytes_of(5, 3), 9)}));
  auto got = read_all(*open_capture_file(path, ""));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].sec, 0);
  EXPECT_EQ(got[0].nsec, 0u);
  EXPECT_EQ(got[0].caplen, 8u);
  EXPECT_EQ(got[0].wire_len, 10u);
  Bytes first10 = bytes_of(10, 1);
  EXPECT_EQ(got[0].data, Bytes(first10.begin(), first10.begin() + 8));
  EXPECT_EQ(got[0].link_type, kLinkEthernet);
  EXPECT_EQ(got[1].caplen, 3u);
  EXPECT_EQ(got[1].data, bytes_of(3, 2));
  EXPECT_EQ(got[2].sec, 1);
  EXPECT_EQ(got[2].nsec, 500000000u);
  EXPECT_EQ(got[2].caplen, 5u);
  EXPECT_EQ(got[2].wire_len, 9u);
  EXPECT_EQ(got[2].data, bytes_of(5, 3));
}

TEST(CapturePcapng, UnknownBlocksAreSkipped) {
  TempDir dir;
  std::string path = dir.file("skip.pcapng");
  write_file(path, concat({shb(false), block(false, 4, bytes_of(30, 9)),  // name resolution
                           idb(false, kLinkEthernet, 0), block(false, 0x0bad, bytes_of(7, 1)),
                           epb(false, 0, 1, bytes_of(4, 1), 4),
                           block(false, 5, bytes_of(20, 2)),  // interface statistics
                           block(false, 0x0a, {}),            // decryption secrets
                           epb(false, 0, 2, bytes_of(4, 2), 4)}));
  auto got = read_all(*open_capture_file(path, ""));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].nsec, 1000u);
  EXPECT_EQ(got[1].nsec, 2000u);
  EXPECT_EQ(got[1].data, bytes_of(4, 2));
}

TEST(CapturePcapng, NewSectionResetsInterfacesAndByteOrder) {
  TempDir dir;
  std::string path = dir.file("sections.pcapng");
  write_file(path, concat({shb(false), idb(false, kLinkEthernet, 0),
                           epb(false, 0, 1000000, bytes_of(4, 1), 4),
                           shb(true), idb(true, kLinkLinuxSll, 0, {tsresol(3)}),
                           epb(true, 0, 2500, bytes_of(4, 2), 4)}));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  auto got = read_all(*src, &last);
  EXPECT_EQ(last, ReadStatus::kEnd);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].link_type, kLinkEthernet);
  EXPECT_EQ(got[0].sec, 1);
  EXPECT_EQ(got[1].link_type, kLinkLinuxSll);
  EXPECT_EQ(got[1].interface_id, 0u);
  EXPECT_EQ(got[1].sec, 2);
  EXPECT_EQ(got[1].nsec, 500000000u);
  EXPECT_EQ(src->primary_link_type(), kLinkEthernet);
}

TEST(CapturePcapng, InterfaceOfAnEarlierSectionIsUndefined) {
  TempDir dir;
  std::string path = dir.file("sections2.pcapng");
  write_file(path, concat({shb(false), idb(false, kLinkEthernet, 0), idb(false, kLinkEthernet, 0),
                           epb(false, 1, 0, bytes_of(4, 1), 4), shb(false),
                           idb(false, kLinkEthernet, 0), epb(false, 1, 0, bytes_of(4, 1), 4)}));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  EXPECT_EQ(read_all(*src, &last).size(), 1u);
  EXPECT_EQ(last, ReadStatus::kError);
  EXPECT_EQ(src->error(), "malformed pcapng block at offset 152: packet for undefined interface 1");
}

struct MalformedCase {
  const char* name;
  Bytes bad_block;
  const char* error;
};

TEST(CapturePcapng, MalformedBlocksEndTheFileWithAnError) {
  Builder short_len(false), odd_len(false), huge_len(false), mismatch(false), overrun(false);
  short_len.u32(6).u32(8).u32(8);
  odd_len.u32(6).u32(13).u32(0).u32(13);
  huge_len.u32(6).u32(0xfffffff0).u32(0).u32(0);
  mismatch.u32(0x0bad).u32(16).u32(0).u32(20);
  // EPB claiming 100 captured bytes in a 32-byte block.
  overrun.u32(6).u32(32).u32(0).u32(0).u32(0).u32(100).u32(100).u32(32);
  Builder bad_option(false);
  bad_option.u16(kLinkEthernet).u16(0).u32(0).u16(9).u16(40).u32(0);
  Bytes bad_option_idb = block(false, 1, bad_option.bytes());

  const MalformedCase cases[] = {
      {"short", short_len.bytes(), "bad block length 8"},
      {"odd", odd_len.bytes(), "bad block length 13"},
      {"huge", huge_len.bytes(), "bad block length 4294967280"},
      {"mismatch", mismatch.bytes(),
       "trailing length does not match 16"},
      {"overrun", overrun.bytes(),
       "captured length 100 exceeds the block"},
      {"undefined interface", epb(false, 7, 0, bytes_of(4, 0), 4),
       "packet for undefined interface 7"},
      {"option overrun", bad_option_idb,
       "interface description block option runs past the "
       "block"},
      {"tsresol", idb(false, kLinkEthernet, 0, {tsresol(20)}),
       "unsupported if_tsresol 10^-20"},
      {"tsresol length", idb(false, kLinkEthernet, 0, {Option{9, {6, 6}}}),
       "bad if_tsresol option length 2"},
      {"section version", shb(false, 2),
       "unsupported pcapng version 2.0"},
      {"epb too short", block(false, 6, bytes_of(8, 0)),
       "enhanced packet block too short"},
  };
  TempDir dir;
  for (const MalformedCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = dir.file("bad.pcapng");
    // SHB (28) + IDB (20) + EPB (36): the bad block starts at offset 84.
    Bytes good = concat({shb(false), idb(false, kLinkEthernet, 0)});
    Bytes packet = epb(false, 0, 5, bytes_of(4, 1), 4);
    ASSERT_EQ(good.size() + packet.size(), 84u);
    write_file(path, concat({good, packet, c.bad_block, packet}));
    auto src = open_capture_file(path, "");
    ReadStatus last;
    auto got = read_all(*src, &last);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].nsec, 5000u);
    EXPECT_EQ(last, ReadStatus::kError);
    EXPECT_EQ(src->error(), std::string("malformed pcapng block at offset 84: ") + c.error);
    EXPECT_FALSE(src->truncated());
    Record r;
    EXPECT_EQ(src->next(r), ReadStatus::kError);
  }
}

TEST(CapturePcapng, TruncatedInsideAPacketBlock) {
  TempDir dir;
  std::string path = dir.file("trunc.pcapng");
  Bytes cut = epb(false, 0, 9, bytes_of(100, 3), 100);
  cut.resize(50);
  write_file(path, concat({shb(false), idb(false, kLinkEthernet, 0),
                           epb(false, 0, 5, bytes_of(4, 1), 4), cut}));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  EXPECT_EQ(read_all(*src, &last).size(), 1u);
  EXPECT_EQ(last, ReadStatus::kError);
  EXPECT_EQ(src->error(), "truncated inside a record (50 bytes left at the end)");
  EXPECT_TRUE(src->truncated());
}

TEST(CapturePcapng, LargeClaimedLengthInAShortFileIsTruncation) {
  TempDir dir;
  std::string path = dir.file("claims.pcapng");
  Builder claim(false);
  claim.u32(6).u32(200u << 20).u32(0).u32(0);
  write_file(path, concat({shb(false), idb(false, kLinkEthernet, 0), claim.bytes()}));
  auto src = open_capture_file(path, "");
  ReadStatus last;
  EXPECT_EQ(read_all(*src, &last).size(), 0u);
  EXPECT_EQ(last, ReadStatus::kError);
  EXPECT_EQ(src->error(), "truncated inside a record (16 bytes left at the end)");
  EXPECT_TRUE(src->truncated());
}

TEST(CapturePcapng, BadSectionHeaderThrowsAtOpen) {
  TempDir dir;
  std::string path = dir.file("bom.pcapng");
  Builder body(false);
  body.u32(0x11223344).u16(1).u16(0).u64(0);
  write_file(path, block(false, 0x0a0d0d0a, body.bytes()));
  EXPECT_EQ(open_error(path), path + ": bad pcapng section header: bad section header byte-order magic");
  Bytes cut = shb(false);
  cut.resize(10);
  write_file(path, cut);
  EXPECT_EQ(open_error(path),
            path + ": bad pcapng section header: truncated inside a record (10 bytes left at the end)");
  write_file(path, shb(false, 3));
  EXPECT_EQ(open_error(path), path +
                                  ": bad pcapng section header: malformed pcapng block at offset 0: "
                                  "unsupported pcapng version 3.0");
}

Bytes filter_file() {
  Bytes eth80 = ethernet_frame(ipv4_packet(true, 40000, 80));
  Bytes eth443 = ethernet_frame(ipv4_packet(true, 40000, 443));
  Bytes sll80 = sll_frame(ipv4_packet(true, 40001, 80));
  Bytes sll_udp80 = sll_frame(ipv4_packet(false, 40002, 80));
  return concat({shb(false), idb(false, kLinkEthernet, 0), idb(false, kLinkLinuxSll, 0),
                 idb(false, 65000, 0),  // a link type libpcap cannot compile for
                 epb(false, 0, 1, eth443, 54), epb(false, 1, 2, sll80, 56),
                 epb(false, 2, 3, eth80, 54), epb(false, 0, 4, eth80, 54),
                 epb(false, 1, 5, sll_udp80, 44), epb(false, 1, 6, sll80, 56)});
}

TEST(CaptureBpfPcapng, OneProgramPerLinkType) {
  TempDir dir;
  std::string path = dir.file("filter.pcapng");
  write_file(path, filter_file());
  auto src = open_capture_file(path, "tcp port 80");
  ReadStatus last;
  auto got = read_all(*src, &last);
  EXPECT_EQ(last, ReadStatus::kEnd);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].nsec, 2000u);
  EXPECT_EQ(got[0].link_type, kLinkLinuxSll);
  EXPECT_EQ(got[0].data, sll_frame(ipv4_packet(true, 40001, 80)));
  EXPECT_EQ(got[1].nsec, 4000u);
  EXPECT_EQ(got[1].link_type, kLinkEthernet);
  EXPECT_EQ(got[1].data, ethernet_frame(ipv4_packet(true, 40000, 80)));
  EXPECT_EQ(got[2].nsec, 6000u);
  EXPECT_EQ(got[2].link_type, kLinkLinuxSll);
}

TEST(CaptureBpfPcapng, FirstInterfaceOfAnUnfilterableLinkTypeIsNotFatal) {
  TempDir dir;
  std::string path = dir.file("first_unknown.pcapng");
  Bytes eth80 = ethernet_frame(ipv4_packet(true, 40000, 80));
  write_file(path, concat({shb(false), idb(false, 65000, 0), idb(false, kLinkEthernet, 0),
                           epb(false, 0, 1, eth80, 54), epb(false, 1, 2, eth80, 54)}));
  auto src = open_capture_file(path, "tcp port 80");
  EXPECT_EQ(src->primary_link_type(), 65000);
  auto got = read_all(*src);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].nsec, 2000u);
  EXPECT_EQ(got[0].interface_id, 1u);
}

TEST(CaptureBpfPcapng, NoFilterKeepsEverything) {
  TempDir dir;
  std::string path = dir.file("filter.pcapng");
  write_file(path, filter_file());
  EXPECT_EQ(read_all(*open_capture_file(path, "")).size(), 6u);
}

TEST(CaptureBpfPcapng, BadExpressionThrows) {
  TempDir dir;
  std::string path = dir.file("filter.pcapng");
  write_file(path, filter_file());
  std::string msg = open_error(path, "tcp port eighty");
  EXPECT_EQ(msg.rfind("bad filter expression 'tcp port eighty': ", 0), 0u) << msg;
}

}  // namespace
}  // namespace tcpflow::capture::test
