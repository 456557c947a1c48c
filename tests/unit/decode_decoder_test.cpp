// The PacketDecoder facade end to end: frame in, TCP segment (or a reason) out.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "decode/decoder.h"
#include "decode_test_builders.h"

namespace tcpflow::decode {
namespace {

using namespace test;

constexpr int kEthernet = 1;

struct Fixture : ::testing::Test {
  DecodeResult decode(const Bytes& frame, int link = kEthernet, Timestamp ts = {50, 0}) {
    return decoder.decode(link, view(frame), ts, out, stats);
  }
  PacketDecoder decoder{DefragLimits{}};
  DecodedPacket out;
  Stats stats;
};

using DecodePacket = Fixture;

TEST_F(DecodePacket, EthernetIpv4Tcp) {
  Tcp t;
  t.payload = pattern(64);
  Bytes f = ethernet(tcp4(t), 0x0800, {{0x8100, 0x3064}});
  ASSERT_EQ(decode(f), DecodeResult::kTcp);
  EXPECT_EQ(out.link.vlan, 100);
  EXPECT_TRUE(out.link.has_macs);
  EXPECT_EQ(out.ip.src, v4(192, 168, 1, 10));
  EXPECT_EQ(out.tcp.src_port, 40000);
  EXPECT_EQ(out.tcp.payload.data(), f.data() + 18 + 40);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(stats.get(Counter::kTcpPackets), 1u);
  EXPECT_EQ(stats.get(Counter::kNonTcpPackets), 0u);
}

TEST_F(DecodePacket, PaddedMinimumFrameWithFcs) {
  Tcp t;
  t.payload = {'h', 'i'};
  Bytes f = ethernet(tcp4(t));  // 14 + 42 = 56 bytes
  f.resize(60, 0);              // Ethernet padding
  append(f, {0xDE, 0xAD, 0xBE, 0xEF});  // FCS
  ASSERT_EQ(decode(f), DecodeResult::kTcp);
  EXPECT_EQ(out.ip.payload_length, 22u);
  EXPECT_EQ(out.tcp.payload_length, 2u);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(stats.get(Counter::kIpLengthBeyondCapture), 0u);
}

TEST_F(DecodePacket, TsoSuperPacket) {
  Tcp t;
  t.payload = pattern(9000);
  V4 ip;
  ip.total_length = 0;
  ASSERT_EQ(decode(ethernet(tcp4(t, ip))), DecodeResult::kTcp);
  EXPECT_TRUE(out.ip.length_from_capture);
  EXPECT_EQ(out.tcp.payload_length, 9000u);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kUnverified);
  EXPECT_EQ(stats.get(Counter::kIpLengthZero), 1u);
}

TEST_F(DecodePacket, NonTcpAndNonIp) {
  V4 udp;
  udp.protocol = 17;
  EXPECT_EQ(decode(ethernet(ipv4_packet(udp, pattern(16)))), DecodeResult::kNotTcp);
  EXPECT_EQ(stats.get(Counter::kNonTcpPackets), 1u);
  EXPECT_EQ(decode(ethernet(Bytes(28, 0), 0x0806)), DecodeResult::kNotTcp);
  EXPECT_EQ(stats.get(Counter::kUnknownEthertype), 1u);
  V6 esp;
  esp.next = 50;
  EXPECT_EQ(decode(ethernet(ipv6_packet(esp, pattern(40)), 0x86DD)), DecodeResult::kNotTcp);
  EXPECT_EQ(stats.get(Counter::kNonTcpPackets), 2u);
  EXPECT_EQ(stats.get(Counter::kTcpPackets), 0u);
}

TEST_F(DecodePacket, UnsupportedAndMalformed) {
  EXPECT_EQ(decode(tcp4(), 127), DecodeResult::kUnsupportedLink);
  EXPECT_EQ(stats.get(Counter::kUnsupportedLinkType), 1u);
  EXPECT_FALSE(link_type_supported(127));
  EXPECT_TRUE(link_type_supported(276));
  EXPECT_EQ(decode(Bytes(10, 0)), DecodeResult::kMalformed);
  EXPECT_EQ(decode(ethernet(Bytes(10, 0x45))), DecodeResult::kMalformed);
  Bytes bad_tcp = tcp4();
  bad_tcp[32] = 0x20;  // data offset 2
  EXPECT_EQ(decode(ethernet(bad_tcp)), DecodeResult::kMalformed);
  EXPECT_EQ(stats.get(Counter::kTruncatedLinkHeader), 1u);
  EXPECT_EQ(stats.get(Counter::kTruncatedIpHeader), 1u);
  EXPECT_EQ(stats.get(Counter::kBadTcpHeader), 1u);
  EXPECT_EQ(stats.get(Counter::kTcpPackets), 0u);
}

TEST_F(DecodePacket, EveryTruncationOfAFrameIsSafe) {
  Tcp t;
  t.payload = pattern(30);
  Bytes f = ethernet(tcp6(t), 0x86DD, {{0x88A8, 1}, {0x8100, 2}});
  for (size_t n = 0; n < f.size(); ++n) {
    Bytes cut(f.begin(), f.begin() + n);
    DecodeResult r = decode(cut);
    if (n < 22 + 40 + 20) {
      EXPECT_EQ(r, DecodeResult::kMalformed) << n;
    } else {
      EXPECT_EQ(r, DecodeResult::kTcp) << n;
      EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kUnverified);
    }
  }
}

TEST_F(DecodePacket, Ipv4FragmentsReassembleToVerifiedTcp) {
  Tcp t;
  t.payload = pattern(200, 1);
  V4 spec;
  Bytes seg = tcp_segment(t, spec.src, spec.dst);  // 220 bytes
  std::vector<Bytes> frames;
  for (uint32_t off = 0; off < seg.size(); off += 64) {
    V4 f = spec;
    f.frag_offset = off;
    f.mf = off + 64 < seg.size();
    Bytes chunk(seg.begin() + off, seg.begin() + std::min<size_t>(seg.size(), off + 64));
    frames.push_back(ethernet(ipv4_packet(f, chunk)));
  }
  std::swap(frames[0], frames[2]);
  for (size_t i = 0; i + 1 < frames.size(); ++i) {
    EXPECT_EQ(decode(frames[i]), DecodeResult::kFragmentHeld);
    EXPECT_TRUE(out.ip.is_fragment);
  }
  ASSERT_EQ(decode(frames.back()), DecodeResult::kTcp);
  EXPECT_FALSE(out.ip.is_fragment);
  EXPECT_EQ(out.ip.payload_length, 220u);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(stats.get(Counter::kFragments), 4u);
  EXPECT_EQ(stats.get(Counter::kFragmentsReassembled), 1u);
  EXPECT_EQ(stats.get(Counter::kTcpPackets), 1u);
}

// IPv6: hop-by-hop + routing + destination options before the fragment
// header; the fragmentable part starts with another destination-options header.
std::vector<Bytes> ipv6_fragment_frames(const Bytes& fragmentable, size_t size, uint32_t id) {
  std::vector<Bytes> frames;
  for (size_t off = 0; off < fragmentable.size(); off += size) {
    V6 spec;
    spec.next = 0;
    Bytes after = options_header(43);
    append(after, routing_header(60, 0, {v6(2)}));
    append(after, options_header(44, 16));
    append(after, fragment_header(60, uint32_t(off), off + size < fragmentable.size(), id));
    append(after, Bytes(fragmentable.begin() + off,
                        fragmentable.begin() + std::min(fragmentable.size(), off + size)));
    frames.push_back(ethernet(ipv6_packet(spec, after), 0x86DD));
  }
  return frames;
}

TEST_F(DecodePacket, Ipv6FragmentsWithDestinationOptionsInFirstFragment) {
  Tcp t;
  t.payload = pattern(500, 2);
  V6 spec;
  Bytes fragmentable = cat(options_header(6, 24), tcp_segment(t, spec.src, spec.dst));
  auto frames = ipv6_fragment_frames(fragmentable, 128, 0x01020304);
  std::mt19937 rng(7);
  std::shuffle(frames.begin(), frames.end(), rng);
  for (size_t i = 0; i + 1 < frames.size(); ++i)
    EXPECT_EQ(decode(frames[i]), DecodeResult::kFragmentHeld);
  ASSERT_EQ(decode(frames.back()), DecodeResult::kTcp);
  EXPECT_EQ(out.ip.transport, 6);
  EXPECT_EQ(out.ip.payload_length, 520u);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(stats.get(Counter::kFragmentsReassembled), 1u);
}

TEST_F(DecodePacket, Ipv6ReassembledChainBroken) {
  Bytes broken = options_header(6, 8);
  broken[1] = 50;  // claims 408 bytes
  append(broken, pattern(40));
  auto frames = ipv6_fragment_frames(broken, 24, 9);
  for (size_t i = 0; i + 1 < frames.size(); ++i) decode(frames[i]);
  EXPECT_EQ(decode(frames.back()), DecodeResult::kMalformed);
  EXPECT_EQ(stats.get(Counter::kIpv6ExtHeaderBad), 1u);
}

TEST_F(DecodePacket, Ipv6RoutingHeaderFinalDestinationChecksum) {
  Tcp t;
  t.payload = pattern(30);
  V6 spec;
  spec.next = 43;
  IpAddress final_dst = v6(0x77);
  Bytes after = cat(routing_header(6, 1, {final_dst}), tcp_segment(t, spec.src, final_dst));
  ASSERT_EQ(decode(ethernet(ipv6_packet(spec, after), 0x86DD)), DecodeResult::kTcp);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(out.ip.dst, v6(2));  // the flow is still keyed by the header's address
}

TEST_F(DecodePacket, OtherLinksEndToEnd) {
  Tcp t;
  t.payload = pattern(5);
  Bytes null_le = cat({2, 0, 0, 0}, tcp4(t));
  ASSERT_EQ(decode(null_le, 0), DecodeResult::kTcp);
  EXPECT_FALSE(out.link.has_macs);
  EXPECT_EQ(out.link.vlan, kNoVlan);
  Bytes raw6 = tcp6(t);
  ASSERT_EQ(decode(raw6, 101), DecodeResult::kTcp);
  EXPECT_EQ(out.ip.proto, NetProto::kIPv6);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  EXPECT_EQ(stats.get(Counter::kTcpPackets), 2u);
}

TEST_F(DecodePacket, JumbogramTcpChecksumUsesThe32BitLength) {
  Tcp t;
  t.payload = pattern(70000, 4);
  V6 spec;
  spec.next = 0;
  spec.payload_length = 0;
  Bytes seg = tcp_segment(t, spec.src, spec.dst);
  Bytes frame = ipv6_packet(spec, cat(jumbo_header(6, uint32_t(8 + seg.size())), seg));
  ASSERT_EQ(decode(frame, 229), DecodeResult::kTcp);
  EXPECT_EQ(out.tcp.payload_length, 70000u);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kGood);
}

TEST_F(DecodePacket, ImpossibleFragmentIsMalformed) {
  V4 spec;
  spec.mf = true;  // a non-last fragment must carry a multiple of 8 bytes
  EXPECT_EQ(decode(ethernet(ipv4_packet(spec, pattern(20)))), DecodeResult::kMalformed);
  EXPECT_EQ(stats.get(Counter::kFragmentsBad), 1u);
  EXPECT_EQ(stats.get(Counter::kFragments), 1u);
  EXPECT_EQ(decode(ethernet(ipv4_packet(spec, pattern(24)))), DecodeResult::kFragmentHeld);
}

TEST_F(DecodePacket, ExpireDropsHeldFragments) {
  V4 spec;
  spec.mf = true;
  EXPECT_EQ(decode(ethernet(ipv4_packet(spec, pattern(16))), kEthernet, {100, 0}),
            DecodeResult::kFragmentHeld);
  decoder.expire({500, 0}, stats);
  EXPECT_EQ(stats.get(Counter::kFragmentsTimedOut), 1u);
}

}  // namespace
}  // namespace tcpflow::decode
