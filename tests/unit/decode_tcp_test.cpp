// TCP header decoding and checksum verification, plus the checksum helper.
#include <gtest/gtest.h>

#include <vector>

#include "decode/checksum.h"
#include "decode/ip.h"
#include "decode/tcp.h"
#include "decode_test_builders.h"

namespace tcpflow::decode {
namespace {

using namespace test;

// Owns its bytes so the views stay valid as long as the run.
struct TcpRun {
  Bytes frame;
  IpPacket ip;
  TcpStatus status = TcpStatus::kMalformed;
  TcpSegment tcp;
  Stats stats;
};

TcpRun run(Bytes l3, const IpAddress* routed = nullptr) {
  TcpRun r;
  r.frame = std::move(l3);
  Stats ip_stats;
  IpStatus s = decode_ip((r.frame[0] >> 4) == 6 ? NetProto::kIPv6 : NetProto::kIPv4,
                         view(r.frame), r.ip, ip_stats);
  EXPECT_EQ(s, IpStatus::kOk);
  r.status = decode_tcp(r.ip, r.tcp, r.stats, routed);
  return r;
}

TEST(DecodeTcp, FieldsAndGoodChecksumIpv4) {
  Tcp t;
  t.flags = kSyn | kAck | kFin | kRst | kPsh | kUrg | 0xC0;
  t.payload = pattern(11);
  TcpRun r = run(tcp4(t));
  ASSERT_EQ(r.status, TcpStatus::kOk);
  EXPECT_EQ(r.tcp.src_port, 40000);
  EXPECT_EQ(r.tcp.dst_port, 80);
  EXPECT_EQ(r.tcp.seq, 0x01020304u);
  EXPECT_EQ(r.tcp.ack, 0xA0B0C0D0u);
  EXPECT_EQ(r.tcp.flags, 0xFF);
  EXPECT_EQ(r.tcp.window, 29200);
  EXPECT_EQ(r.tcp.payload.data(), r.frame.data() + 40);
  EXPECT_EQ(bytes_of(r.tcp.payload), t.payload);
  EXPECT_EQ(r.tcp.payload_length, 11u);
  EXPECT_EQ(r.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(r.stats.get(Counter::kTcpChecksumBad), 0u);
  EXPECT_EQ(r.stats.get(Counter::kTcpChecksumUnverified), 0u);
}

TEST(DecodeTcp, GoodChecksumIpv6OddLength) {
  Tcp t;
  t.payload = pattern(1001);
  TcpRun r = run(tcp6(t));
  ASSERT_EQ(r.status, TcpStatus::kOk);
  EXPECT_EQ(r.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(r.tcp.payload_length, 1001u);
}

TEST(DecodeTcp, BadChecksum) {
  Tcp t;
  t.payload = pattern(20);
  t.corrupt_checksum = true;
  for (Bytes p : {tcp4(t), tcp6(t)}) {
    TcpRun r = run(p);
    ASSERT_EQ(r.status, TcpStatus::kOk);
    EXPECT_EQ(r.tcp.checksum, ChecksumStatus::kBad);
    EXPECT_EQ(r.stats.get(Counter::kTcpChecksumBad), 1u);
  }
  // A flipped payload byte is caught too.
  t.corrupt_checksum = false;
  Bytes p = tcp4(t);
  p.back() ^= 1;
  EXPECT_EQ(run(p).tcp.checksum, ChecksumStatus::kBad);
}

TEST(DecodeTcp, OptionsAreSkipped) {
  Tcp t;
  t.options = {2, 4, 0x05, 0xB4, 1, 1, 4, 2};  // MSS, NOP, NOP, SACK permitted
  t.payload = pattern(9);
  TcpRun r = run(tcp4(t));
  ASSERT_EQ(r.status, TcpStatus::kOk);
  EXPECT_EQ(r.tcp.payload.data(), r.frame.data() + 20 + 28);
  EXPECT_EQ(r.tcp.payload_length, 9u);
  EXPECT_EQ(r.tcp.checksum, ChecksumStatus::kGood);
}

TEST(DecodeTcp, TruncatedPayloadIsUnverified) {
  Tcp t;
  t.payload = pattern(500);
  Bytes p = tcp4(t);
  p.resize(20 + 20 + 100);
  TcpRun r = run(p);
  ASSERT_EQ(r.status, TcpStatus::kOk);
  EXPECT_EQ(r.tcp.payload.size(), 100u);
  EXPECT_EQ(r.tcp.payload_length, 500u);
  EXPECT_EQ(r.tcp.checksum, ChecksumStatus::kUnverified);
  EXPECT_EQ(r.stats.get(Counter::kTcpPayloadTruncated), 1u);
  EXPECT_EQ(r.stats.get(Counter::kTcpChecksumUnverified), 1u);
}

TEST(DecodeTcp, LengthFromCaptureIsUnverified) {
  Tcp t;
  t.payload = pattern(2000);
  V4 ip;
  ip.total_length = 0;
  TcpRun r = run(tcp4(t, ip));
  ASSERT_EQ(r.status, TcpStatus::kOk);
  EXPECT_EQ(r.tcp.payload_length, 2000u);
  EXPECT_EQ(r.tcp.checksum, ChecksumStatus::kUnverified);
  EXPECT_EQ(r.stats.get(Counter::kTcpChecksumUnverified), 1u);
  EXPECT_EQ(r.stats.get(Counter::kTcpPayloadTruncated), 0u);
}

TEST(DecodeTcp, PaddingAfterSegmentDoesNotBreakChecksum) {
  Tcp t;
  t.payload = pattern(3);
  TcpRun r = run(cat(tcp4(t), Bytes(7, 0xFF)));
  ASSERT_EQ(r.status, TcpStatus::kOk);
  EXPECT_EQ(r.tcp.payload.size(), 3u);
  EXPECT_EQ(r.tcp.checksum, ChecksumStatus::kGood);
}

TEST(DecodeTcp, TruncatedHeaderAtEveryLength) {
  Tcp t;
  t.options = Bytes(12, 1);
  Bytes p = tcp4(t);
  for (size_t n = 20; n < 20 + 32; ++n) {
    TcpRun r = run(Bytes(p.begin(), p.begin() + n));
    EXPECT_EQ(r.status, TcpStatus::kMalformed) << n;
    EXPECT_EQ(r.stats.get(Counter::kTruncatedTcpHeader), 1u) << n;
  }
}

TEST(DecodeTcp, ImpossibleDataOffset) {
  Bytes p = tcp4();
  for (uint8_t off : {0, 1, 4}) {
    p[20 + 12] = uint8_t(off << 4);
    TcpRun r = run(p);
    EXPECT_EQ(r.status, TcpStatus::kMalformed);
    EXPECT_EQ(r.stats.get(Counter::kBadTcpHeader), 1u);
  }
  // Data offset 15 (60 bytes) in a datagram whose IP length leaves 20.
  p[20 + 12] = 0xF0;
  TcpRun r = run(p);
  EXPECT_EQ(r.status, TcpStatus::kMalformed);
  EXPECT_EQ(r.stats.get(Counter::kBadTcpHeader), 1u);
  // IP length leaves fewer than 20 bytes for TCP.
  V4 spec;
  Bytes short_seg = pattern(12);
  TcpRun s = run(ipv4_packet(spec, short_seg));
  EXPECT_EQ(s.status, TcpStatus::kMalformed);
  EXPECT_EQ(s.stats.get(Counter::kBadTcpHeader), 1u);
}

TEST(DecodeTcp, RoutedDestinationVerifies) {
  IpAddress final_dst = v6(99);
  V6 spec;
  Tcp t;
  t.payload = pattern(40);
  // The sender summed with the final destination, not the header's.
  Bytes seg = tcp_segment(t, spec.src, final_dst);
  TcpRun plain = run(ipv6_packet(spec, seg));
  EXPECT_EQ(plain.tcp.checksum, ChecksumStatus::kBad);
  TcpRun routed = run(ipv6_packet(spec, seg), &final_dst);
  EXPECT_EQ(routed.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(routed.stats.get(Counter::kTcpChecksumBad), 0u);
}

TEST(Checksum, KnownVectorAndOddRuns) {
  // RFC 1071 section 3 example: sum 0xDDF2, checksum 0x220D.
  const Bytes data = {0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7};
  ChecksumAccumulator acc;
  acc.add(view(data));
  EXPECT_EQ(acc.sum(), 0xDDF2);
  EXPECT_EQ(acc.checksum(), 0x220D);
  EXPECT_EQ(internet_checksum(view(data)), 0x220D);
  // Split into odd runs, the sum is the same.
  ChecksumAccumulator split;
  split.add(view(data).first(3));
  split.add(view(data).subview(3, 1));
  split.add(view(data).subview(4));
  EXPECT_EQ(split.sum(), 0xDDF2);
  Bytes odd = pattern(77);
  EXPECT_EQ(internet_checksum(view(odd)), ones_complement(odd));
}

TEST(Checksum, TransportChecksumHelper) {
  Tcp t;
  t.payload = pattern(5);
  Bytes seg4 = tcp_segment(t, v4(1, 2, 3, 4), v4(5, 6, 7, 8));
  EXPECT_TRUE(transport_checksum_ok(v4(1, 2, 3, 4), v4(5, 6, 7, 8), 6, view(seg4)));
  EXPECT_FALSE(transport_checksum_ok(v4(1, 2, 3, 4), v4(5, 6, 7, 9), 6, view(seg4)));
  Bytes seg6 = tcp_segment(t, v6(1), v6(2));
  EXPECT_TRUE(transport_checksum_ok(v6(1), v6(2), 6, view(seg6)));
  EXPECT_FALSE(transport_checksum_ok(v6(1), v6(2), 17, view(seg6)));
}

// The eight-bytes-at-a-time path must give the bytewise RFC 1071 sum for
// every length, alignment and split into several add() calls.
TEST(Checksum, WideSumMatchesBytewiseForAnyLengthAndSplit) {
  std::vector<uint8_t> data(3008);  // room for the longest length from the largest start
  uint32_t x = 7;
  for (auto& b : data) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(x >> 24);
  }
  auto reference = [&](size_t from, size_t n) {
    uint64_t s = 0;
    for (size_t i = 0; i < n; ++i) s += (i % 2 ? 1u : 256u) * data[from + i];
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return static_cast<uint16_t>(s);
  };
  for (size_t n : {0, 1, 15, 16, 17, 23, 64, 1447, 1448, 2999}) {
    for (size_t from : {0, 1, 3}) {
      ChecksumAccumulator whole;
      whole.add(ByteView(data.data() + from, n));
      EXPECT_EQ(whole.sum(), reference(from, n)) << n << " from " << from;
      for (size_t cut : {size_t{1}, size_t{7}, n / 2}) {
        if (cut > n) continue;
        ChecksumAccumulator parts;
        parts.add(ByteView(data.data() + from, cut));
        parts.add(ByteView(data.data() + from + cut, n - cut));
        EXPECT_EQ(parts.sum(), reference(from, n)) << n << " cut " << cut;
      }
    }
  }
}

}  // namespace
}  // namespace tcpflow::decode
