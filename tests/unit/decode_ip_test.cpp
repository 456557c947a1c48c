// IPv4 and IPv6 header decoding: lengths, options, extension chains, truncation.
#include <gtest/gtest.h>

#include "decode/ip.h"
#include "decode_test_builders.h"

namespace tcpflow::decode {
namespace {

using namespace test;

// Owns its bytes so the views in `ip` stay valid as long as the run.
struct IpRun {
  Bytes frame;
  IpStatus status;
  IpPacket ip;
  Stats stats;
  IpAddress final_dst;
};

IpRun run4(Bytes l3) {
  IpRun r;
  r.frame = std::move(l3);
  r.status = decode_ipv4(view(r.frame), r.ip, r.stats);
  return r;
}

IpRun run6(Bytes l3) {
  IpRun r;
  r.frame = std::move(l3);
  r.status = decode_ipv6(view(r.frame), r.ip, r.stats, &r.final_dst);
  return r;
}

TEST(DecodeIpv4, BasicFields) {
  V4 spec;
  spec.df = true;
  Bytes seg = pattern(37);
  Bytes p = ipv4_packet(spec, seg);
  IpRun r = run4(p);
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(r.ip.proto, NetProto::kIPv4);
  EXPECT_EQ(r.ip.src, v4(192, 168, 1, 10));
  EXPECT_EQ(r.ip.dst, v4(10, 1, 2, 3));
  EXPECT_EQ(r.ip.transport, 6);
  EXPECT_EQ(r.ip.payload.data(), r.frame.data() + 20);
  EXPECT_EQ(bytes_of(r.ip.payload), seg);
  EXPECT_EQ(r.ip.payload_length, 37u);
  EXPECT_FALSE(r.ip.is_fragment);  // DF alone is not fragmentation
  EXPECT_FALSE(r.ip.length_from_capture);
  EXPECT_EQ(r.ip.fragment_id, 0x4242u);
  EXPECT_EQ(r.stats.get(Counter::kBadIpChecksum), 0u);
}

TEST(DecodeIpv4, OptionsAreSkipped) {
  V4 spec;
  spec.options = {0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00};  // router alert, NOPs, EOL
  Bytes seg = pattern(10);
  Bytes p = ipv4_packet(spec, seg);
  IpRun r = run4(p);
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(r.ip.payload.data(), r.frame.data() + 28);
  EXPECT_EQ(bytes_of(r.ip.payload), seg);
  EXPECT_EQ(r.ip.payload_length, 10u);
  EXPECT_EQ(r.stats.get(Counter::kBadIpChecksum), 0u);
}

TEST(DecodeIpv4, TrailingBytesAreNotPayload) {
  Bytes seg = pattern(6);
  Bytes p = cat(ipv4_packet(V4{}, seg), Bytes(14, 0));  // padding + FCS after the datagram
  IpRun r = run4(p);
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(bytes_of(r.ip.payload), seg);
  EXPECT_EQ(r.ip.payload_length, 6u);
  EXPECT_EQ(r.stats.get(Counter::kIpLengthBeyondCapture), 0u);
}

TEST(DecodeIpv4, ZeroTotalLengthUsesCapture) {
  V4 spec;
  spec.total_length = 0;
  Bytes seg = pattern(3000);  // bigger than any MTU: a TSO super-packet
  IpRun r = run4(ipv4_packet(spec, seg));
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_TRUE(r.ip.length_from_capture);
  EXPECT_EQ(r.ip.payload_length, 3000u);
  EXPECT_EQ(bytes_of(r.ip.payload), seg);
  EXPECT_EQ(r.stats.get(Counter::kIpLengthZero), 1u);
}

TEST(DecodeIpv4, ZeroTotalLengthOnFragmentIsBad) {
  V4 spec;
  spec.total_length = 0;
  spec.mf = true;
  IpRun r = run4(ipv4_packet(spec, pattern(16)));
  EXPECT_EQ(r.status, IpStatus::kMalformed);
  EXPECT_EQ(r.stats.get(Counter::kBadIpHeader), 1u);
  EXPECT_EQ(r.stats.get(Counter::kIpLengthZero), 0u);
}

TEST(DecodeIpv4, TotalLengthShorterThanHeader) {
  V4 spec;
  spec.options = Bytes(8, 1);
  spec.total_length = 24;  // header is 28
  IpRun r = run4(ipv4_packet(spec, pattern(8)));
  EXPECT_EQ(r.status, IpStatus::kMalformed);
  EXPECT_EQ(r.stats.get(Counter::kBadIpHeader), 1u);
}

TEST(DecodeIpv4, TotalLengthBeyondCaptureTruncatesPayload) {
  Bytes p = ipv4_packet(V4{}, pattern(100));
  p.resize(20 + 40);  // snap length
  IpRun r = run4(p);
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(r.ip.payload.size(), 40u);
  EXPECT_EQ(r.ip.payload_length, 100u);
  EXPECT_EQ(r.stats.get(Counter::kIpLengthBeyondCapture), 1u);
}

TEST(DecodeIpv4, BadVersionAndHeaderLength) {
  Bytes p = tcp4();
  p[0] = 0x65;
  IpRun v = run4(p);
  EXPECT_EQ(v.status, IpStatus::kMalformed);
  EXPECT_EQ(v.stats.get(Counter::kBadIpHeader), 1u);
  p[0] = 0x44;  // IHL 4
  IpRun ihl = run4(p);
  EXPECT_EQ(ihl.status, IpStatus::kMalformed);
  EXPECT_EQ(ihl.stats.get(Counter::kBadIpHeader), 1u);
  Bytes q = ipv4_packet(V4{}, {});
  q[0] = 0x46;  // IHL 6 but only 20 bytes captured
  IpRun cut = run4(q);
  EXPECT_EQ(cut.status, IpStatus::kMalformed);
  EXPECT_EQ(cut.stats.get(Counter::kTruncatedIpHeader), 1u);
}

TEST(DecodeIpv4, TruncatedAtEveryHeaderLength) {
  Bytes p = tcp4();
  for (size_t n = 0; n < 20; ++n) {
    IpRun r = run4(Bytes(p.begin(), p.begin() + n));
    EXPECT_EQ(r.status, IpStatus::kMalformed) << n;
    EXPECT_EQ(r.stats.get(Counter::kTruncatedIpHeader), 1u) << n;
  }
}

TEST(DecodeIpv4, BadChecksumCountedNotDropped) {
  V4 spec;
  spec.corrupt_checksum = true;
  IpRun r = run4(ipv4_packet(spec, pattern(8)));
  EXPECT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(r.stats.get(Counter::kBadIpChecksum), 1u);
  EXPECT_TRUE(r.ip.header_checksum_bad);  // a corrupted copy: its bytes stay weak
  EXPECT_EQ(bytes_of(r.ip.payload), pattern(8));
}

TEST(DecodeIpv4, GoodChecksumIsNotMarked) {
  IpRun r = run4(ipv4_packet(V4{}, pattern(8)));
  EXPECT_FALSE(r.ip.header_checksum_bad);
}

TEST(DecodeIpv4, EachFragmentHeaderIsChecked) {
  V4 spec;
  spec.mf = true;
  spec.corrupt_checksum = true;
  IpRun r = run4(ipv4_packet(spec, pattern(16)));
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_TRUE(r.ip.is_fragment);
  EXPECT_TRUE(r.ip.header_checksum_bad);
  EXPECT_EQ(r.stats.get(Counter::kBadIpChecksum), 1u);
}

TEST(DecodeIpv4, FragmentFields) {
  V4 spec;
  spec.mf = true;
  spec.frag_offset = 1480;
  spec.id = 0xBEEF;
  IpRun r = run4(ipv4_packet(spec, pattern(16)));
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_TRUE(r.ip.is_fragment);
  EXPECT_TRUE(r.ip.more_fragments);
  EXPECT_EQ(r.ip.fragment_offset, 1480u);
  EXPECT_EQ(r.ip.fragment_id, 0xBEEFu);
  spec.mf = false;
  IpRun last = run4(ipv4_packet(spec, pattern(5)));
  EXPECT_TRUE(last.ip.is_fragment);
  EXPECT_FALSE(last.ip.more_fragments);
  spec.frag_offset = 0;
  spec.mf = true;
  IpRun first = run4(ipv4_packet(spec, pattern(16)));
  EXPECT_TRUE(first.ip.is_fragment);
  EXPECT_EQ(first.ip.fragment_offset, 0u);
}

TEST(DecodeIpv6, BasicFields) {
  Bytes seg = pattern(33);
  Bytes p = ipv6_packet(V6{}, seg);
  IpRun r = run6(p);
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(r.ip.proto, NetProto::kIPv6);
  EXPECT_EQ(r.ip.src, v6(1));
  EXPECT_EQ(r.ip.dst, v6(2));
  EXPECT_EQ(r.ip.transport, 6);
  EXPECT_EQ(r.ip.payload.data(), r.frame.data() + 40);
  EXPECT_EQ(r.ip.payload_length, 33u);
  EXPECT_FALSE(r.ip.is_fragment);
  EXPECT_EQ(r.final_dst.family, 0);
}

TEST(DecodeIpv6, TrailerAndTruncation) {
  Bytes seg = pattern(50);
  IpRun pad = run6(cat(ipv6_packet(V6{}, seg), Bytes(4, 0xCC)));
  EXPECT_EQ(bytes_of(pad.ip.payload), seg);
  Bytes p = ipv6_packet(V6{}, seg);
  p.resize(40 + 20);
  IpRun cut = run6(p);
  ASSERT_EQ(cut.status, IpStatus::kOk);
  EXPECT_EQ(cut.ip.payload.size(), 20u);
  EXPECT_EQ(cut.ip.payload_length, 50u);
  EXPECT_EQ(cut.stats.get(Counter::kIpLengthBeyondCapture), 1u);
}

TEST(DecodeIpv6, ZeroPayloadLengthUsesCapture) {
  V6 spec;
  spec.payload_length = 0;
  IpRun r = run6(ipv6_packet(spec, pattern(70)));
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_TRUE(r.ip.length_from_capture);
  EXPECT_EQ(r.ip.payload_length, 70u);
  EXPECT_EQ(r.stats.get(Counter::kIpLengthZero), 1u);
}

TEST(DecodeIpv6, Jumbogram) {
  V6 spec;
  spec.next = 0;
  spec.payload_length = 0;
  Bytes after = cat(jumbo_header(6, 8 + 70000), pattern(70000));
  IpRun r = run6(cat(ipv6_packet(spec, after), Bytes(6, 0xEE)));  // and a trailer
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_FALSE(r.ip.length_from_capture);
  EXPECT_EQ(r.ip.transport, 6);
  EXPECT_EQ(r.ip.payload_length, 70000u);
  EXPECT_EQ(r.ip.payload.size(), 70000u);
  EXPECT_EQ(r.stats.get(Counter::kIpLengthZero), 0u);
}

TEST(DecodeIpv6, HopRoutingDestinationChain) {
  V6 spec;
  spec.next = 0;
  Bytes seg = pattern(24);
  Bytes after = options_header(43, 16);
  append(after, routing_header(60, 0, {v6(9)}));
  append(after, options_header(6, 8));
  size_t ext = after.size();
  append(after, seg);
  Bytes p = ipv6_packet(spec, after);
  IpRun r = run6(p);
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(r.ip.transport, 6);
  EXPECT_EQ(r.ip.payload.data(), r.frame.data() + 40 + ext);
  EXPECT_EQ(bytes_of(r.ip.payload), seg);
  EXPECT_EQ(r.ip.payload_length, 24u);
  EXPECT_EQ(r.final_dst.family, 0);  // no segments left: the header dst is final
}

TEST(DecodeIpv6, RoutingWithSegmentsLeftNamesFinalDestination) {
  V6 spec;
  spec.next = 43;
  IpRun r = run6(ipv6_packet(spec, cat(routing_header(6, 2, {v6(7), v6(8)}), pattern(20))));
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(r.final_dst, v6(8));
  IpRun srh = run6(ipv6_packet(spec, cat(routing_header(6, 1, {v6(5), v6(6)}, 4), pattern(20))));
  EXPECT_EQ(srh.final_dst, v6(5));
}

TEST(DecodeIpv6, AuthMobilityHipShim6) {
  V6 spec;
  spec.next = 51;
  Bytes after = auth_header(135, 4);  // 24 bytes
  append(after, options_header(139, 8));
  append(after, options_header(140, 16));
  append(after, options_header(6, 8));
  size_t ext = after.size();
  append(after, pattern(20));
  IpRun r = run6(ipv6_packet(spec, after));
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_EQ(r.ip.transport, 6);
  EXPECT_EQ(r.ip.payload_length, 20u);
  EXPECT_EQ(ext, 24u + 8 + 16 + 8);
}

TEST(DecodeIpv6, EspAndNoNextHeaderEndTheWalk) {
  V6 spec;
  spec.next = 60;
  IpRun esp = run6(ipv6_packet(spec, cat(options_header(50), pattern(40))));
  ASSERT_EQ(esp.status, IpStatus::kOk);
  EXPECT_EQ(esp.ip.transport, 50);
  EXPECT_EQ(esp.ip.payload_length, 40u);
  spec.next = 59;
  IpRun none = run6(ipv6_packet(spec, {}));
  ASSERT_EQ(none.status, IpStatus::kOk);
  EXPECT_EQ(none.ip.transport, 59);
  EXPECT_EQ(none.ip.payload_length, 0u);
}

TEST(DecodeIpv6, ChainLongerThanSixteenHeaders) {
  V6 spec;
  spec.next = 60;
  Bytes sixteen;
  for (int i = 0; i < 15; ++i) append(sixteen, options_header(60));
  append(sixteen, options_header(6));
  EXPECT_EQ(run6(ipv6_packet(spec, cat(sixteen, pattern(20)))).status, IpStatus::kOk);
  Bytes seventeen = cat(options_header(60), sixteen);
  IpRun r = run6(ipv6_packet(spec, cat(seventeen, pattern(20))));
  EXPECT_EQ(r.status, IpStatus::kMalformed);
  EXPECT_EQ(r.stats.get(Counter::kIpv6ExtHeaderBad), 1u);
}

TEST(DecodeIpv6, HeaderLengthPastPayloadLength) {
  V6 spec;
  spec.next = 60;
  Bytes h = options_header(6, 8);
  h[1] = 200;  // claims 1608 bytes
  IpRun r = run6(ipv6_packet(spec, cat(h, pattern(20))));
  EXPECT_EQ(r.status, IpStatus::kMalformed);
  EXPECT_EQ(r.stats.get(Counter::kIpv6ExtHeaderBad), 1u);
}

TEST(DecodeIpv6, ChainCutByCapture) {
  V6 spec;
  spec.next = 0;
  Bytes p = ipv6_packet(spec, cat(options_header(6, 16), pattern(20)));
  for (size_t n = 40; n < 40 + 16; ++n) {
    IpRun r = run6(Bytes(p.begin(), p.begin() + n));
    EXPECT_EQ(r.status, IpStatus::kMalformed) << n;
    EXPECT_EQ(r.stats.get(Counter::kTruncatedIpHeader), 1u) << n;
  }
}

TEST(DecodeIpv6, TruncatedFixedHeaderAndBadVersion) {
  Bytes p = tcp6();
  for (size_t n = 0; n < 40; ++n) {
    IpRun r = run6(Bytes(p.begin(), p.begin() + n));
    EXPECT_EQ(r.status, IpStatus::kMalformed) << n;
    EXPECT_EQ(r.stats.get(Counter::kTruncatedIpHeader), 1u) << n;
  }
  p[0] = 0x40;
  IpRun v = run6(p);
  EXPECT_EQ(v.status, IpStatus::kMalformed);
  EXPECT_EQ(v.stats.get(Counter::kBadIpHeader), 1u);
}

TEST(DecodeIpv6, FragmentHeaderStopsTheWalk) {
  V6 spec;
  spec.next = 0;
  Bytes after = options_header(44);
  append(after, fragment_header(60, 2048, true, 0xDEADBEEF));
  Bytes fragmentable = cat(options_header(6), pattern(56));
  append(after, fragmentable);
  Bytes p = ipv6_packet(spec, after);
  IpRun r = run6(p);
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_TRUE(r.ip.is_fragment);
  EXPECT_TRUE(r.ip.more_fragments);
  EXPECT_EQ(r.ip.fragment_id, 0xDEADBEEFu);
  EXPECT_EQ(r.ip.fragment_offset, 2048u);
  EXPECT_EQ(r.ip.transport, 60);
  EXPECT_EQ(r.ip.payload.data(), r.frame.data() + 40 + 16);
  EXPECT_EQ(r.ip.payload_length, 64u);
}

TEST(DecodeIpv6, AtomicFragmentIsWhole) {
  V6 spec;
  spec.next = 44;
  Bytes seg = pattern(30);
  IpRun r = run6(ipv6_packet(spec, cat(fragment_header(6, 0, false, 77), seg)));
  ASSERT_EQ(r.status, IpStatus::kOk);
  EXPECT_FALSE(r.ip.is_fragment);
  EXPECT_EQ(r.ip.transport, 6);
  EXPECT_EQ(bytes_of(r.ip.payload), seg);
}

TEST(DecodeIpv6, FinishChainAfterReassembly) {
  Bytes seg = pattern(40);
  Bytes rebuilt = cat(options_header(43, 16), routing_header(6, 0, {v6(3)}));
  size_t ext = rebuilt.size();
  append(rebuilt, seg);
  IpPacket whole;
  whole.proto = NetProto::kIPv6;
  whole.transport = 60;
  whole.payload = view(rebuilt);
  whole.payload_length = uint32_t(rebuilt.size());
  Stats stats;
  ASSERT_EQ(finish_ipv6_chain(whole, stats), IpStatus::kOk);
  EXPECT_EQ(whole.transport, 6);
  EXPECT_EQ(whole.payload.data(), rebuilt.data() + ext);
  EXPECT_EQ(whole.payload_length, 40u);

  Bytes nested = cat(fragment_header(6, 8, false, 1), seg);
  IpPacket again;
  again.proto = NetProto::kIPv6;
  again.transport = 44;
  again.payload = view(nested);
  again.payload_length = uint32_t(nested.size());
  EXPECT_EQ(finish_ipv6_chain(again, stats), IpStatus::kMalformed);
  EXPECT_EQ(stats.get(Counter::kIpv6ExtHeaderBad), 1u);
}

TEST(DecodeIp, DispatchesOnProtocol) {
  IpPacket ip;
  Stats stats;
  Bytes a = tcp4();
  EXPECT_EQ(decode_ip(NetProto::kIPv4, view(a), ip, stats), IpStatus::kOk);
  EXPECT_EQ(ip.proto, NetProto::kIPv4);
  Bytes b = tcp6();
  EXPECT_EQ(decode_ip(NetProto::kIPv6, view(b), ip, stats), IpStatus::kOk);
  EXPECT_EQ(ip.proto, NetProto::kIPv6);
}

}  // namespace
}  // namespace tcpflow::decode
