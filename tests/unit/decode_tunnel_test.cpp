// Tunnels through the PacketDecoder: dispatch by protocol and port, nesting,
// the depth limit, fragments inside and outside, the chain it records, the
// tunnel key, and -S decode_tunnels=NO.
#include <gtest/gtest.h>

#include "decode/decoder.h"
#include "decode/tunnel.h"
#include "decode_test_builders.h"
#include "flow/flow_key.h"
#include "flow/tunnel_interner.h"

namespace tcpflow::decode {
namespace {

using namespace test;

constexpr int kEthernet = 1;
constexpr int kRaw = 101;

Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload) {
  Bytes h;
  put16(h, sport);
  put16(h, dport);
  put16(h, uint16_t(8 + payload.size()));
  put16(h, 0);  // no checksum (IPv4)
  return cat(h, payload);
}

Bytes vxlan(uint32_t vni, const Bytes& frame) {
  Bytes h = {0x08, 0, 0, 0};
  put32(h, vni << 8);
  return cat(h, frame);
}

Bytes gre(uint16_t protocol, const Bytes& inner, std::optional<uint32_t> key = std::nullopt) {
  Bytes h;
  put16(h, key ? 0x2000 : 0);
  put16(h, protocol);
  if (key) put32(h, *key);
  return cat(h, inner);
}

V4 outer4(IpAddress src, IpAddress dst, uint8_t protocol) {
  V4 ip;
  ip.src = src;
  ip.dst = dst;
  ip.protocol = protocol;
  return ip;
}

Bytes over_vxlan(uint32_t vni, const Bytes& inner_l3, IpAddress src = v4(192, 0, 2, 1),
                 IpAddress dst = v4(192, 0, 2, 2), uint16_t port = 4789) {
  return ipv4_packet(outer4(src, dst, 17), udp(51000, port, vxlan(vni, ethernet(inner_l3))));
}

struct TunnelFixture : ::testing::Test {
  // Keeps its own copy of the frame: `out` points into it after the call,
  // and callers often pass a temporary.
  DecodeResult decode(const Bytes& frame, int link = kEthernet) {
    frame_ = frame;
    return decoder->decode(link, view(frame_), Timestamp{50, 0}, out, stats);
  }
  Bytes frame_;
  void configure(const TunnelConfig& config) {
    decoder = std::make_unique<PacketDecoder>(DefragLimits{}, config);
  }
  std::unique_ptr<PacketDecoder> decoder = std::make_unique<PacketDecoder>(DefragLimits{});
  DecodedPacket out;
  Stats stats;
};

using DecodeTunnel = TunnelFixture;

TEST_F(DecodeTunnel, VxlanCarriesTheInnerConnection) {
  Tcp t;
  t.payload = pattern(100);
  const Bytes frame = ethernet(over_vxlan(100, tcp4(t)));
  ASSERT_EQ(decode(frame), DecodeResult::kTcp);
  EXPECT_EQ(out.ip.src, v4(192, 168, 1, 10));
  EXPECT_EQ(out.tcp.src_port, 40000);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  ASSERT_EQ(out.tunnels.depth, 1);
  const TunnelLayer& layer = out.tunnels.innermost();
  EXPECT_EQ(layer.kind, TunnelKind::kVxlan);
  EXPECT_EQ(layer.id, 100u);
  EXPECT_EQ(layer.outer_src, v4(192, 0, 2, 1));
  // The inner frame's MACs are the flow's.
  EXPECT_EQ(out.link.src_mac, kSrcMac);
  EXPECT_EQ(stats.get(Counter::kTunnelVxlan), 1u);
  EXPECT_EQ(stats.get(Counter::kTcpPackets), 1u);
  EXPECT_EQ(describe_tunnels({layer}), "vxlan:vni=100 outer=192.0.2.1>192.0.2.2");
  EXPECT_EQ(tunnel_file_tag(layer), "vxlan100_192.0.2.1-192.0.2.2");
}

TEST_F(DecodeTunnel, VxlanOnTheOldLinuxPortAndAConfiguredOne) {
  ASSERT_EQ(decode(over_vxlan(1, tcp4()), kRaw), DecodeResult::kTcp);
  ASSERT_EQ(decode(over_vxlan(1, tcp4(), v4(1, 1, 1, 1), v4(2, 2, 2, 2), 8472), kRaw),
            DecodeResult::kTcp);
  const Bytes custom = over_vxlan(1, tcp4(), v4(1, 1, 1, 1), v4(2, 2, 2, 2), 9999);
  EXPECT_EQ(decode(custom, kRaw), DecodeResult::kNotTcp);  // plain UDP to 9999
  TunnelConfig config;
  config.extra_udp_ports = {{9999, TunnelKind::kVxlan}};
  configure(config);
  ASSERT_EQ(decode(custom, kRaw), DecodeResult::kTcp);
  EXPECT_EQ(out.tunnels.innermost().kind, TunnelKind::kVxlan);
}

TEST_F(DecodeTunnel, DisabledKeepsTheOuterView) {
  TunnelConfig config;
  config.enabled = false;
  configure(config);
  EXPECT_EQ(decode(over_vxlan(1, tcp4()), kRaw), DecodeResult::kNotTcp);
  const Bytes ipip = ipv4_packet(outer4(v4(1, 1, 1, 1), v4(2, 2, 2, 2), 4), tcp4());
  EXPECT_EQ(decode(ipip, kRaw), DecodeResult::kNotTcp);
  EXPECT_EQ(stats.get(Counter::kTunnelVxlan), 0u);
  EXPECT_EQ(stats.get(Counter::kTunnelIp4InIp), 0u);
}

TEST_F(DecodeTunnel, SixInFourInsideVlan) {
  Tcp t;
  t.payload = pattern(30);
  const Bytes pkt = ipv4_packet(outer4(v4(198, 51, 100, 1), v4(203, 0, 113, 9), 41), tcp6(t));
  ASSERT_EQ(decode(ethernet(pkt, 0x0800, {{0x8100, 7}})), DecodeResult::kTcp);
  EXPECT_EQ(out.link.vlan, 7);
  EXPECT_EQ(out.ip.proto, NetProto::kIPv6);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  ASSERT_EQ(out.tunnels.depth, 1);
  EXPECT_STREQ(tunnel_layer_name(out.tunnels.innermost()), "6in4");
  EXPECT_EQ(stats.get(Counter::kTunnelIp6InIp), 1u);
}

TEST_F(DecodeTunnel, FourInSixAndSixInSix) {
  V6 outer;
  outer.next = 4;
  ASSERT_EQ(decode(ipv6_packet(outer, tcp4()), kRaw), DecodeResult::kTcp);
  EXPECT_STREQ(tunnel_layer_name(out.tunnels.innermost()), "4in6");
  outer.next = 41;
  ASSERT_EQ(decode(ipv6_packet(outer, tcp6()), kRaw), DecodeResult::kTcp);
  EXPECT_STREQ(tunnel_layer_name(out.tunnels.innermost()), "6in6");
}

TEST_F(DecodeTunnel, VxlanInsideGreRecordsBothLayers) {
  const Bytes vx = over_vxlan(300, tcp4(), v4(10, 9, 0, 1), v4(10, 9, 0, 2));
  const Bytes pkt = ipv4_packet(outer4(v4(172, 16, 0, 1), v4(172, 16, 0, 2), 47),
                                gre(0x0800, vx, 0xABCD));
  ASSERT_EQ(decode(ethernet(pkt)), DecodeResult::kTcp);
  ASSERT_EQ(out.tunnels.depth, 2);
  EXPECT_EQ(out.tunnels.layers[0].kind, TunnelKind::kGre);
  EXPECT_EQ(out.tunnels.layers[0].id, 0xABCDu);
  EXPECT_EQ(out.tunnels.layers[1].kind, TunnelKind::kVxlan);
  std::vector<TunnelLayer> chain(out.tunnels.layers.begin(), out.tunnels.layers.begin() + 2);
  EXPECT_EQ(describe_tunnels(chain),
            "gre:key=43981 outer=172.16.0.1>172.16.0.2, vxlan:vni=300 outer=10.9.0.1>10.9.0.2");
  // The key is the innermost tunnel's.
  const TunnelKey key = tunnel_key_of(out.tunnels);
  EXPECT_EQ(key.kind, TunnelKind::kVxlan);
  EXPECT_EQ(key.id, 300u);
}

TEST_F(DecodeTunnel, DepthLimit) {
  Bytes pkt = tcp4();
  for (int i = 0; i < kMaxTunnelDepth; ++i)
    pkt = ipv4_packet(outer4(v4(10, 0, 0, uint8_t(i)), v4(10, 0, 1, uint8_t(i)), 4), pkt);
  ASSERT_EQ(decode(pkt, kRaw), DecodeResult::kTcp);
  EXPECT_EQ(out.tunnels.depth, kMaxTunnelDepth);
  pkt = ipv4_packet(outer4(v4(10, 0, 0, 99), v4(10, 0, 1, 99), 4), pkt);
  EXPECT_EQ(decode(pkt, kRaw), DecodeResult::kMalformed);
  EXPECT_EQ(stats.get(Counter::kTunnelTooDeep), 1u);
}

TEST_F(DecodeTunnel, BrokenTunnelsAreCounted) {
  Bytes vx = over_vxlan(5, tcp4());
  Bytes cut(vx.begin(), vx.begin() + 20 + 8 + 5);  // inside the VXLAN header
  EXPECT_EQ(decode(cut, kRaw), DecodeResult::kMalformed);
  EXPECT_EQ(stats.get(Counter::kTunnelTruncated), 1u);
  const Bytes mpls = ipv4_packet(outer4(v4(1, 1, 1, 1), v4(2, 2, 2, 2), 47), gre(0x8847, pattern(40)));
  EXPECT_EQ(decode(mpls, kRaw), DecodeResult::kMalformed);
  EXPECT_EQ(stats.get(Counter::kTunnelUnknownNext), 1u);
  Bytes bad = vx;
  bad[20 + 8] = 0;  // VXLAN I flag cleared
  EXPECT_EQ(decode(bad, kRaw), DecodeResult::kMalformed);
  EXPECT_EQ(stats.get(Counter::kTunnelMalformed), 1u);
  // Every cut of a nested packet decodes to some verdict without reading past it.
  const Bytes nested = ipv4_packet(outer4(v4(172, 16, 0, 1), v4(172, 16, 0, 2), 47),
                                   gre(0x0800, vx, 7));
  for (size_t n = 0; n < nested.size(); ++n) {
    Bytes prefix(nested.begin(), nested.begin() + n);
    EXPECT_NE(decode(prefix, kRaw), DecodeResult::kUnsupportedLink);
  }
}

TEST_F(DecodeTunnel, GtpuControlIsNotUserData) {
  Bytes echo = {0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0};
  EXPECT_EQ(decode(ipv4_packet(outer4(v4(1, 1, 1, 1), v4(2, 2, 2, 2), 17), udp(2152, 2152, echo)),
                   kRaw),
            DecodeResult::kNotTcp);
  EXPECT_EQ(stats.get(Counter::kTunnelControl), 1u);
  EXPECT_EQ(stats.get(Counter::kTunnelGtpu), 1u);
}

TEST_F(DecodeTunnel, OuterFragmentsReassembleBeforeTheTunnel) {
  Tcp t;
  t.payload = pattern(200, 9);
  const Bytes whole = over_vxlan(42, tcp4(t));
  // Cut the outer datagram's payload into 64-byte fragments, sent in reverse.
  const Bytes payload(whole.begin() + 20, whole.end());
  std::vector<Bytes> frags;
  for (size_t at = 0; at < payload.size(); at += 64) {
    V4 ip = outer4(v4(192, 0, 2, 1), v4(192, 0, 2, 2), 17);
    ip.id = 0x777;
    ip.frag_offset = uint32_t(at);
    ip.mf = at + 64 < payload.size();
    frags.push_back(ipv4_packet(ip, Bytes(payload.begin() + at,
                                          payload.begin() + std::min(payload.size(), at + 64))));
  }
  for (size_t i = frags.size(); i-- > 1;) EXPECT_EQ(decode(frags[i], kRaw), DecodeResult::kFragmentHeld);
  ASSERT_EQ(decode(frags[0], kRaw), DecodeResult::kTcp);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  EXPECT_EQ(out.tunnels.innermost().id, 42u);
}

TEST_F(DecodeTunnel, InnerFragmentsInsideAReassembledOuterDatagram) {
  Tcp t;
  t.payload = pattern(120, 4);
  V4 inner_ip;
  inner_ip.id = 0x99;
  const Bytes segment = tcp_segment(t, inner_ip.src, inner_ip.dst);
  // Two inner fragments, each carried in its own GRE packet; the second GRE
  // packet is itself split in two outer fragments.
  inner_ip.mf = true;
  const Bytes inner1 = ipv4_packet(inner_ip, Bytes(segment.begin(), segment.begin() + 80));
  inner_ip.mf = false;
  inner_ip.frag_offset = 80;
  const Bytes inner2 = ipv4_packet(inner_ip, Bytes(segment.begin() + 80, segment.end()));
  V4 outer = outer4(v4(172, 16, 0, 1), v4(172, 16, 0, 2), 47);
  EXPECT_EQ(decode(ipv4_packet(outer, gre(0x0800, inner1)), kRaw), DecodeResult::kFragmentHeld);
  const Bytes carried = gre(0x0800, inner2);
  outer.id = 0x55;
  outer.mf = true;
  EXPECT_EQ(decode(ipv4_packet(outer, Bytes(carried.begin(), carried.begin() + 24)), kRaw),
            DecodeResult::kFragmentHeld);
  outer.mf = false;
  outer.frag_offset = 24;
  ASSERT_EQ(decode(ipv4_packet(outer, Bytes(carried.begin() + 24, carried.end())), kRaw),
            DecodeResult::kTcp);
  EXPECT_EQ(bytes_of(out.tcp.payload), t.payload);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kGood);
}

TEST_F(DecodeTunnel, TenantsInnerFragmentsWithTheSameIdStayApart) {
  // Both tenants send 10.x -> 10.y with IP id 0x99, cut in two; interleaved.
  std::vector<std::vector<Bytes>> frames(2);
  std::vector<Bytes> payloads;
  for (int tenant = 0; tenant < 2; ++tenant) {
    Tcp t;
    t.payload = pattern(100, uint8_t(40 * tenant + 1));
    payloads.push_back(t.payload);
    V4 ip;
    ip.id = 0x99;
    const Bytes segment = tcp_segment(t, ip.src, ip.dst);
    ip.mf = true;
    frames[tenant].push_back(
        over_vxlan(100 + tenant, ipv4_packet(ip, Bytes(segment.begin(), segment.begin() + 64))));
    ip.mf = false;
    ip.frag_offset = 64;
    frames[tenant].push_back(
        over_vxlan(100 + tenant, ipv4_packet(ip, Bytes(segment.begin() + 64, segment.end()))));
  }
  EXPECT_EQ(decode(frames[0][0], kRaw), DecodeResult::kFragmentHeld);
  EXPECT_EQ(decode(frames[1][0], kRaw), DecodeResult::kFragmentHeld);
  ASSERT_EQ(decode(frames[1][1], kRaw), DecodeResult::kTcp);
  EXPECT_EQ(bytes_of(out.tcp.payload), payloads[1]);
  EXPECT_EQ(out.tunnels.innermost().id, 101u);
  ASSERT_EQ(decode(frames[0][1], kRaw), DecodeResult::kTcp);
  EXPECT_EQ(bytes_of(out.tcp.payload), payloads[0]);
  EXPECT_EQ(out.tcp.checksum, ChecksumStatus::kGood);
  EXPECT_EQ(stats.get(Counter::kFragmentOverlapConflicts), 0u);
}

TEST(TunnelKeyTest, BothDirectionsShareOneConnectionAndTenantsDiffer) {
  TunnelChain forward;
  forward.depth = 1;
  forward.layers[0] = TunnelLayer{TunnelKind::kVxlan, true, 100, v4(192, 0, 2, 1), v4(192, 0, 2, 2)};
  TunnelChain backward = forward;
  std::swap(backward.layers[0].outer_src, backward.layers[0].outer_dst);
  EXPECT_EQ(tunnel_key_of(forward), tunnel_key_of(backward));

  flow::TunnelInterner interner;
  const uint32_t fwd = interner.acquire(tunnel_key_of(forward));
  const uint32_t bwd = interner.acquire(tunnel_key_of(backward));
  EXPECT_EQ(fwd, bwd);
  EXPECT_NE(fwd, flow::TunnelInterner::kNone);
  flow::FlowKey a{v4(10, 0, 0, 1), v4(10, 0, 0, 2), 1000, 80, kNoVlan, fwd};
  flow::FlowKey b{v4(10, 0, 0, 2), v4(10, 0, 0, 1), 80, 1000, kNoVlan, bwd};
  flow::Side side_a, side_b;
  const flow::ConnKey ka = flow::make_conn_key(a, side_a);
  const flow::ConnKey kb = flow::make_conn_key(b, side_b);
  EXPECT_EQ(ka, kb);
  EXPECT_NE(side_a, side_b);
  EXPECT_EQ(flow::ConnKeyHash{}(ka), flow::ConnKeyHash{}(kb));

  TunnelChain other = forward;
  other.layers[0].id = 200;
  flow::FlowKey c = a;
  c.tunnel = interner.acquire(tunnel_key_of(other));
  EXPECT_NE(c.tunnel, fwd);
  flow::Side side_c;
  EXPECT_FALSE(flow::make_conn_key(c, side_c) == ka);
  flow::FlowKey plain = a;
  plain.tunnel = interner.acquire(TunnelKey{});
  EXPECT_EQ(plain.tunnel, flow::TunnelInterner::kNone);
  EXPECT_FALSE(flow::make_conn_key(plain, side_c) == ka);
}

TEST(TunnelInternerTest, NumbersAreReusedOnlyAfterTheLastReferenceGoes) {
  TunnelChain vxlan;
  vxlan.depth = 1;
  vxlan.layers[0] = TunnelLayer{TunnelKind::kVxlan, true, 7, v4(192, 0, 2, 1), v4(192, 0, 2, 2)};
  TunnelChain gre = vxlan;
  gre.layers[0].kind = TunnelKind::kGre;
  flow::TunnelInterner interner;
  const uint32_t first = interner.acquire(tunnel_key_of(vxlan));
  interner.retain(first);
  EXPECT_EQ(interner.live(), 1u);
  interner.release(first);
  EXPECT_EQ(interner.live(), 1u);  // one reference left
  EXPECT_EQ(interner.key_of(first), tunnel_key_of(vxlan));
  interner.release(first);
  EXPECT_EQ(interner.live(), 0u);
  const uint32_t second = interner.acquire(tunnel_key_of(gre));
  EXPECT_EQ(second, first);  // the freed number is reused for a different tunnel
  EXPECT_EQ(interner.key_of(second), tunnel_key_of(gre));
  EXPECT_NE(interner.acquire(tunnel_key_of(vxlan)), second);
  EXPECT_EQ(interner.live(), 2u);
}

}  // namespace
}  // namespace tcpflow::decode
