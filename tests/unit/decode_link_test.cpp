// Link-layer decoding: every supported DLT, VLAN/QinQ, encapsulations, truncation.
#include <gtest/gtest.h>

#include "decode/link.h"
#include "decode_test_builders.h"

namespace tcpflow::decode {
namespace {

using namespace test;

const Bytes kIp4 = tcp4();
const Bytes kIp6 = tcp6();

struct LinkRun {
  LinkStatus status;
  LinkLayer link;
  Stats stats;
};

LinkRun run(int dlt, const Bytes& frame) {
  LinkRun r;
  r.status = decode_link(dlt, view(frame), r.link, r.stats);
  return r;
}

// The decoded l3 must be exactly `l3` and sit at `offset` inside `frame`.
void expect_l3(const LinkRun& r, const Bytes& frame, size_t offset, const Bytes& l3,
               NetProto proto) {
  ASSERT_EQ(r.status, LinkStatus::kIp);
  EXPECT_EQ(r.link.proto, proto);
  EXPECT_EQ(r.link.l3.data(), frame.data() + offset);
  EXPECT_EQ(bytes_of(r.link.l3), l3);
}

TEST(DecodeLink, EthernetIpv4CarriesMacsAndNoVlan) {
  Bytes f = ethernet(kIp4);
  LinkRun r = run(kLinkEthernet, f);
  expect_l3(r, f, 14, kIp4, NetProto::kIPv4);
  EXPECT_TRUE(r.link.has_macs);
  EXPECT_EQ(r.link.dst_mac, kDstMac);
  EXPECT_EQ(r.link.src_mac, kSrcMac);
  EXPECT_EQ(r.link.vlan, kNoVlan);
}

TEST(DecodeLink, EthernetIpv6) {
  Bytes f = ethernet(kIp6, 0x86DD);
  expect_l3(run(kLinkEthernet, f), f, 14, kIp6, NetProto::kIPv6);
}

TEST(DecodeLink, SingleVlanDropsPriorityAndDei) {
  Bytes f = ethernet(kIp4, 0x0800, {{0x8100, 0xF123}});  // PCP 7, DEI 1, VID 0x123
  LinkRun r = run(kLinkEthernet, f);
  expect_l3(r, f, 18, kIp4, NetProto::kIPv4);
  EXPECT_EQ(r.link.vlan, 0x123);
}

TEST(DecodeLink, QinQReportsOuterVid) {
  Bytes f = ethernet(kIp6, 0x86DD, {{0x88A8, 0xA064}, {0x8100, 0x60C8}});
  LinkRun r = run(kLinkEthernet, f);
  expect_l3(r, f, 22, kIp6, NetProto::kIPv6);
  EXPECT_EQ(r.link.vlan, 100);
  EXPECT_TRUE(r.link.has_macs);
}

TEST(DecodeLink, LegacyQinQTpids) {
  for (uint16_t tpid : {0x9100, 0x9200}) {
    Bytes f = ethernet(kIp4, 0x0800, {{tpid, 0x0FFF}, {0x8100, 0x0005}, {0x8100, 0x0006}});
    LinkRun r = run(kLinkEthernet, f);
    expect_l3(r, f, 26, kIp4, NetProto::kIPv4);
    EXPECT_EQ(r.link.vlan, 0xFFF);
  }
}

TEST(DecodeLink, PriorityTaggedFrameHasVidZero) {
  Bytes f = ethernet(kIp4, 0x0800, {{0x8100, 0xA000}});
  EXPECT_EQ(run(kLinkEthernet, f).link.vlan, 0);
}

TEST(DecodeLink, EightTagsAcceptedNineRejected) {
  std::vector<std::pair<uint16_t, uint16_t>> tags(8, {0x8100, 7});
  Bytes f = ethernet(kIp4, 0x0800, tags);
  expect_l3(run(kLinkEthernet, f), f, 14 + 32, kIp4, NetProto::kIPv4);
  tags.push_back({0x8100, 7});
  LinkRun r = run(kLinkEthernet, ethernet(kIp4, 0x0800, tags));
  EXPECT_EQ(r.status, LinkStatus::kMalformed);
  EXPECT_EQ(r.stats.get(Counter::kTruncatedLinkHeader), 1u);
}

TEST(DecodeLink, TruncatedVlanTag) {
  Bytes f = ethernet({}, 0x0800, {{0x8100, 5}});
  f.resize(16);  // TPID plus half a tag
  LinkRun r = run(kLinkEthernet, f);
  EXPECT_EQ(r.status, LinkStatus::kMalformed);
  EXPECT_EQ(r.stats.get(Counter::kTruncatedLinkHeader), 1u);
}

TEST(DecodeLink, EthernetTruncatedAtEveryLength) {
  Bytes f = ethernet(kIp4);
  for (size_t n = 0; n < 14; ++n) {
    LinkRun r = run(kLinkEthernet, Bytes(f.begin(), f.begin() + n));
    EXPECT_EQ(r.status, LinkStatus::kMalformed) << n;
    EXPECT_EQ(r.stats.get(Counter::kTruncatedLinkHeader), 1u) << n;
  }
  // A bare header with nothing behind it is the IP decoder's problem.
  LinkRun r = run(kLinkEthernet, Bytes(f.begin(), f.begin() + 14));
  EXPECT_EQ(r.status, LinkStatus::kIp);
  EXPECT_EQ(r.link.l3.size(), 0u);
}

TEST(DecodeLink, ArpIsNotIp) {
  LinkRun r = run(kLinkEthernet, ethernet(Bytes(28, 0), 0x0806));
  EXPECT_EQ(r.status, LinkStatus::kNotIp);
  EXPECT_EQ(r.stats.get(Counter::kUnknownEthertype), 1u);
  EXPECT_EQ(r.stats.get(Counter::kTruncatedLinkHeader), 0u);
}

TEST(DecodeLink, Llc8023WithSnapCarriesIp) {
  Bytes llc = {0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00};
  Bytes f = ethernet(cat(llc, kIp4), uint16_t(llc.size() + kIp4.size()));
  expect_l3(run(kLinkEthernet, f), f, 22, kIp4, NetProto::kIPv4);
}

TEST(DecodeLink, Llc8023WithoutSnapIsNotIp) {
  Bytes stp = {0x42, 0x42, 0x03, 0, 0, 0, 0};
  LinkRun r = run(kLinkEthernet, ethernet(stp, uint16_t(stp.size())));
  EXPECT_EQ(r.status, LinkStatus::kNotIp);
  EXPECT_EQ(r.stats.get(Counter::kUnknownEthertype), 1u);
  LinkRun t = run(kLinkEthernet, ethernet({0xAA, 0xAA, 0x03, 0}, 4));  // cut SNAP
  EXPECT_EQ(t.status, LinkStatus::kMalformed);
}

TEST(DecodeLink, MplsLabelStack) {
  Bytes labels = {0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40};  // second has BoS
  Bytes f = ethernet(cat(labels, kIp6), 0x8847);
  expect_l3(run(kLinkEthernet, f), f, 22, kIp6, NetProto::kIPv6);
  Bytes g = ethernet(cat({0x00, 0x01, 0x01, 0x40}, kIp4), 0x8848);
  expect_l3(run(kLinkEthernet, g), g, 18, kIp4, NetProto::kIPv4);
}

TEST(DecodeLink, MplsWithoutBottomOrIpPayload) {
  LinkRun open = run(kLinkEthernet, ethernet({0x00, 0x01, 0x00, 0x40}, 0x8847));
  EXPECT_EQ(open.status, LinkStatus::kMalformed);
  Bytes pseudowire = {0x00, 0x01, 0x01, 0x40, 0x00, 0x00, 0x00, 0x00};
  LinkRun pw = run(kLinkEthernet, ethernet(pseudowire, 0x8847));
  EXPECT_EQ(pw.status, LinkStatus::kNotIp);
  Bytes endless;
  for (int i = 0; i < 40; ++i) append(endless, {0, 0, 0, 0});
  EXPECT_EQ(run(kLinkEthernet, ethernet(endless, 0x8847)).status, LinkStatus::kMalformed);
}

TEST(DecodeLink, PppoeSessionTrimsToItsLength) {
  Bytes pppoe = {0x11, 0x00, 0x12, 0x34};
  put16(pppoe, uint16_t(kIp4.size() + 2));
  put16(pppoe, 0x0021);
  Bytes f = ethernet(cat(cat(pppoe, kIp4), Bytes(10, 0xEE)), 0x8864);
  expect_l3(run(kLinkEthernet, f), f, 22, kIp4, NetProto::kIPv4);

  Bytes v6 = {0x11, 0x00, 0x12, 0x34};
  put16(v6, uint16_t(kIp6.size() + 2));
  put16(v6, 0x0057);
  Bytes g = ethernet(cat(v6, kIp6), 0x8864);
  expect_l3(run(kLinkEthernet, g), g, 22, kIp6, NetProto::kIPv6);

  Bytes lcp = {0x11, 0x00, 0x12, 0x34, 0x00, 0x06, 0xC0, 0x21, 1, 2, 3, 4};
  EXPECT_EQ(run(kLinkEthernet, ethernet(lcp, 0x8864)).status, LinkStatus::kNotIp);
  EXPECT_EQ(run(kLinkEthernet, ethernet({0x11, 0, 0}, 0x8864)).status, LinkStatus::kMalformed);
}

Bytes family_header(uint32_t family, bool big_endian) {
  Bytes h;
  if (big_endian) {
    put32(h, family);
  } else {
    for (int i = 0; i < 4; ++i) h.push_back(uint8_t(family >> (8 * i)));
  }
  return h;
}

TEST(DecodeLink, NullAndLoopIpv4InBothByteOrders) {
  for (int dlt : {kLinkNull, kLinkLoop}) {
    for (bool big : {false, true}) {
      Bytes f = cat(family_header(2, big), kIp4);
      LinkRun r = run(dlt, f);
      expect_l3(r, f, 4, kIp4, NetProto::kIPv4);
      EXPECT_FALSE(r.link.has_macs);
      EXPECT_EQ(r.link.vlan, kNoVlan);
    }
  }
}

TEST(DecodeLink, NullAndLoopEveryIpv6FamilyInBothByteOrders) {
  for (int dlt : {kLinkNull, kLinkLoop}) {
    for (uint32_t family : {10u, 24u, 28u, 30u}) {
      for (bool big : {false, true}) {
        Bytes f = cat(family_header(family, big), kIp6);
        expect_l3(run(dlt, f), f, 4, kIp6, NetProto::kIPv6);
      }
    }
  }
}

TEST(DecodeLink, NullUnknownFamilyAndTruncation) {
  LinkRun r = run(kLinkNull, cat(family_header(7, false), kIp4));
  EXPECT_EQ(r.status, LinkStatus::kNotIp);
  EXPECT_EQ(r.stats.get(Counter::kUnknownEthertype), 1u);
  for (size_t n = 0; n < 4; ++n) {
    LinkRun t = run(kLinkNull, Bytes(n, 0));
    EXPECT_EQ(t.status, LinkStatus::kMalformed);
    EXPECT_EQ(t.stats.get(Counter::kTruncatedLinkHeader), 1u);
  }
}

TEST(DecodeLink, RawLinksUseTheVersionNibble) {
  for (int dlt : {kLinkRaw, kLinkRawOpenBsd, kLinkRawFile}) {
    LinkRun a = run(dlt, kIp4);
    expect_l3(a, kIp4, 0, kIp4, NetProto::kIPv4);
    EXPECT_FALSE(a.link.has_macs);
    expect_l3(run(dlt, kIp6), kIp6, 0, kIp6, NetProto::kIPv6);
    Bytes bad = kIp4;
    bad[0] = 0x55;
    LinkRun b = run(dlt, bad);
    EXPECT_EQ(b.status, LinkStatus::kMalformed);
    EXPECT_EQ(b.stats.get(Counter::kBadIpHeader), 1u);
    LinkRun e = run(dlt, {});
    EXPECT_EQ(e.status, LinkStatus::kMalformed);
    EXPECT_EQ(e.stats.get(Counter::kTruncatedIpHeader), 1u);
  }
}

TEST(DecodeLink, Ipv4AndIpv6LinkTypes) {
  expect_l3(run(kLinkIpv4, kIp4), kIp4, 0, kIp4, NetProto::kIPv4);
  expect_l3(run(kLinkIpv6, kIp6), kIp6, 0, kIp6, NetProto::kIPv6);
}

Bytes sll(uint16_t protocol, uint16_t addr_len, uint16_t hatype = 1) {
  Bytes h;
  put16(h, 0);  // packet type: to us
  put16(h, hatype);
  put16(h, addr_len);
  h.insert(h.end(), kSrcMac.begin(), kSrcMac.end());
  put16(h, 0);  // address padding
  put16(h, protocol);
  return h;
}

TEST(DecodeLink, LinuxSllTakesSourceMac) {
  Bytes f = cat(sll(0x0800, 6), kIp4);
  LinkRun r = run(kLinkLinuxSll, f);
  expect_l3(r, f, 16, kIp4, NetProto::kIPv4);
  EXPECT_TRUE(r.link.has_macs);
  EXPECT_EQ(r.link.src_mac, kSrcMac);
  EXPECT_EQ(r.link.dst_mac, MacAddress{});
}

TEST(DecodeLink, LinuxSllWithoutMacAddress) {
  Bytes f = cat(sll(0x86DD, 0, 772), kIp6);
  LinkRun r = run(kLinkLinuxSll, f);
  expect_l3(r, f, 16, kIp6, NetProto::kIPv6);
  EXPECT_FALSE(r.link.has_macs);
}

TEST(DecodeLink, LinuxSllLoopbackAddressIsNoMac) {
  Bytes f = cat(sll(0x0800, 6, 772), kIp4);
  LinkRun r = run(kLinkLinuxSll, f);
  expect_l3(r, f, 16, kIp4, NetProto::kIPv4);
  EXPECT_FALSE(r.link.has_macs);
  EXPECT_EQ(r.link.src_mac, MacAddress{});
}

TEST(DecodeLink, LinuxSllVlanTagged) {
  Bytes f = cat(sll(0x8100, 6), {0x20, 0x2A, 0x08, 0x00});
  append(f, kIp4);
  LinkRun r = run(kLinkLinuxSll, f);
  expect_l3(r, f, 20, kIp4, NetProto::kIPv4);
  EXPECT_EQ(r.link.vlan, 42);
}

TEST(DecodeLink, LinuxSllOtherProtocolsAndTruncation) {
  EXPECT_EQ(run(kLinkLinuxSll, cat(sll(0x0806, 6), Bytes(28))).status, LinkStatus::kNotIp);
  EXPECT_EQ(run(kLinkLinuxSll, cat(sll(0x0001, 6), Bytes(28))).status, LinkStatus::kNotIp);
  Bytes llc = cat(sll(0x0004, 6), {0xAA, 0xAA, 0x03, 0, 0, 0, 0x86, 0xDD});
  Bytes f = cat(llc, kIp6);
  expect_l3(run(kLinkLinuxSll, f), f, 24, kIp6, NetProto::kIPv6);
  Bytes h = sll(0x0800, 6);
  for (size_t n = 0; n < 16; ++n) {
    LinkRun r = run(kLinkLinuxSll, Bytes(h.begin(), h.begin() + n));
    EXPECT_EQ(r.status, LinkStatus::kMalformed);
    EXPECT_EQ(r.stats.get(Counter::kTruncatedLinkHeader), 1u);
  }
}

Bytes sll2(uint16_t protocol, uint8_t addr_len) {
  Bytes h;
  put16(h, protocol);
  put16(h, 0);        // reserved
  put32(h, 3);        // ifindex
  put16(h, 1);        // ARPHRD_ETHER
  h.push_back(4);     // outgoing
  h.push_back(addr_len);
  h.insert(h.end(), kSrcMac.begin(), kSrcMac.end());
  put16(h, 0);
  return h;
}

TEST(DecodeLink, LinuxSll2) {
  Bytes f = cat(sll2(0x86DD, 6), kIp6);
  LinkRun r = run(kLinkLinuxSll2, f);
  expect_l3(r, f, 20, kIp6, NetProto::kIPv6);
  EXPECT_TRUE(r.link.has_macs);
  EXPECT_EQ(r.link.src_mac, kSrcMac);

  Bytes g = cat(sll2(0x0800, 4), kIp4);
  LinkRun s = run(kLinkLinuxSll2, g);
  expect_l3(s, g, 20, kIp4, NetProto::kIPv4);
  EXPECT_FALSE(s.link.has_macs);

  Bytes h = sll2(0x0800, 6);
  for (size_t n = 0; n < 20; ++n)
    EXPECT_EQ(run(kLinkLinuxSll2, Bytes(h.begin(), h.begin() + n)).status, LinkStatus::kMalformed);
}

TEST(DecodeLink, PppFramings) {
  Bytes full = cat({0xFF, 0x03, 0x00, 0x21}, kIp4);
  LinkRun a = run(kLinkPpp, full);
  expect_l3(a, full, 4, kIp4, NetProto::kIPv4);
  EXPECT_FALSE(a.link.has_macs);
  Bytes no_ac = cat({0x00, 0x57}, kIp6);
  expect_l3(run(kLinkPpp, no_ac), no_ac, 2, kIp6, NetProto::kIPv6);
  Bytes compressed = cat({0x21}, kIp4);
  expect_l3(run(kLinkPpp, compressed), compressed, 1, kIp4, NetProto::kIPv4);
  Bytes ac_compressed = cat({0xFF, 0x03, 0x57}, kIp6);
  expect_l3(run(kLinkPpp, ac_compressed), ac_compressed, 3, kIp6, NetProto::kIPv6);
  for (int dlt : {kLinkPpp, kLinkPppHdlc}) {
    Bytes hdlc = cat({0xFF, 0x03, 0x00, 0x57}, kIp6);
    expect_l3(run(dlt, hdlc), hdlc, 4, kIp6, NetProto::kIPv6);
  }
}

TEST(DecodeLink, PppNonIpAndTruncated) {
  LinkRun lcp = run(kLinkPpp, {0xFF, 0x03, 0xC0, 0x21, 1, 1, 0, 4});
  EXPECT_EQ(lcp.status, LinkStatus::kNotIp);
  EXPECT_EQ(lcp.stats.get(Counter::kUnknownEthertype), 1u);
  for (Bytes f : {Bytes{}, Bytes{0xFF, 0x03}, Bytes{0xFF, 0x03, 0x00}, Bytes{0x00}}) {
    LinkRun r = run(kLinkPpp, f);
    EXPECT_EQ(r.status, LinkStatus::kMalformed);
    EXPECT_EQ(r.stats.get(Counter::kTruncatedLinkHeader), 1u);
  }
}

TEST(DecodeLink, CiscoHdlc) {
  Bytes f = cat({0x0F, 0x00, 0x08, 0x00}, kIp4);
  LinkRun r = run(kLinkCiscoHdlc, f);
  expect_l3(r, f, 4, kIp4, NetProto::kIPv4);
  EXPECT_FALSE(r.link.has_macs);
  Bytes g = cat({0x8F, 0x00, 0x86, 0xDD}, kIp6);
  expect_l3(run(kLinkCiscoHdlc, g), g, 4, kIp6, NetProto::kIPv6);
  expect_l3(run(kLinkPppHdlc, f), f, 4, kIp4, NetProto::kIPv4);  // Cisco framing on DLT 50
  EXPECT_EQ(run(kLinkCiscoHdlc, {0x8F, 0x00, 0x80, 0x35, 0, 0}).status, LinkStatus::kNotIp);
  EXPECT_EQ(run(kLinkCiscoHdlc, {0x0F, 0x00, 0x08}).status, LinkStatus::kMalformed);
}

TEST(DecodeLink, UnknownLinkType) {
  LinkRun r = run(105, kIp4);  // 802.11
  EXPECT_EQ(r.status, LinkStatus::kUnsupported);
  EXPECT_EQ(r.stats.get(Counter::kUnsupportedLinkType), 1u);
  EXPECT_EQ(run(-1, kIp4).status, LinkStatus::kUnsupported);
  EXPECT_FALSE(link_known(105));
  EXPECT_FALSE(link_known(127));
  for (int dlt : {0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 276})
    EXPECT_TRUE(link_known(dlt)) << dlt;
}

}  // namespace
}  // namespace tcpflow::decode
