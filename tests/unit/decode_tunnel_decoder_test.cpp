// Each encapsulation decoder on its own: the header fields it reads, what it
// says follows, and that every cut of a header is "truncated", never a read
// past the end.
#include <gtest/gtest.h>

#include "decode/tunnel_decoders.h"
#include "decode_test_builders.h"

namespace tcpflow::decode {
namespace {

using namespace test;

// `out` points into the bytes decoded, and tests often pass a temporary:
// the fixture keeps the last input until the next call.
class TunnelDecoderTest : public ::testing::Test {
 protected:
  TunnelStatus run(TunnelDecodeFn fn, const Bytes& b, TunnelPayload& out) {
    last_input_ = b;
    out = TunnelPayload{};
    return fn(view(last_input_), out);
  }

  // Every strict prefix of a valid header (up to `header` bytes) is truncated.
  void expect_prefixes_truncated(TunnelDecodeFn fn, const Bytes& b, size_t header) {
    for (size_t n = 0; n < header; ++n) {
      TunnelPayload out;
      Bytes cut(b.begin(), b.begin() + n);
      EXPECT_EQ(run(fn, cut, out), TunnelStatus::kTruncated) << "prefix of " << n << " bytes";
    }
  }

 private:
  Bytes last_input_;
};
using TunnelVxlan = TunnelDecoderTest;
using TunnelGeneve = TunnelDecoderTest;
using TunnelGre = TunnelDecoderTest;
using TunnelGtpu = TunnelDecoderTest;
using TunnelIpInIp = TunnelDecoderTest;
using TunnelTeredo = TunnelDecoderTest;

Bytes vxlan_header(uint32_t vni, uint8_t flags = 0x08) {
  Bytes h = {flags, 0, 0, 0};
  put32(h, vni << 8);
  return h;
}

TEST_F(TunnelVxlan, ReadsVniAndCarriesEthernet) {
  const Bytes frame = ethernet(tcp4());
  const Bytes b = cat(vxlan_header(0xABCDEF), frame);
  TunnelPayload out;
  ASSERT_EQ(run(decode_vxlan, b, out), TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kEthernet);
  EXPECT_TRUE(out.has_id);
  EXPECT_EQ(out.id, 0xABCDEFu);
  EXPECT_EQ(bytes_of(out.bytes), frame);
  expect_prefixes_truncated(decode_vxlan, b, 8);
}

TEST_F(TunnelVxlan, WithoutTheVniFlagIsMalformed) {
  TunnelPayload out;
  EXPECT_EQ(run(decode_vxlan, cat(vxlan_header(5, 0x00), ethernet(tcp4())), out),
            TunnelStatus::kMalformed);
}

Bytes geneve_header(uint32_t vni, uint16_t protocol, const Bytes& options, uint8_t version = 0) {
  Bytes h = {uint8_t((version << 6) | (options.size() / 4)), 0};
  put16(h, protocol);
  put32(h, vni << 8);
  return cat(h, options);
}

TEST_F(TunnelGeneve, SkipsOptionsByLength) {
  const Bytes options = pattern(12, 3);
  const Bytes inner = tcp6();
  const Bytes b = cat(geneve_header(77, 0x86DD, options), inner);
  TunnelPayload out;
  ASSERT_EQ(run(decode_geneve, b, out), TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kIPv6);
  EXPECT_EQ(out.id, 77u);
  EXPECT_EQ(bytes_of(out.bytes), inner);
  expect_prefixes_truncated(decode_geneve, b, 20);
}

TEST_F(TunnelGeneve, EthernetIpv4AndRejects) {
  TunnelPayload out;
  EXPECT_EQ(run(decode_geneve, cat(geneve_header(1, 0x6558, {}), ethernet(tcp4())), out),
            TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kEthernet);
  EXPECT_EQ(run(decode_geneve, cat(geneve_header(1, 0x0800, {}), tcp4()), out),
            TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kIPv4);
  EXPECT_EQ(run(decode_geneve, cat(geneve_header(1, 0x0806, {}), pattern(28)), out),
            TunnelStatus::kUnknownNext);
  EXPECT_EQ(run(decode_geneve, cat(geneve_header(1, 0x0800, {}, 1), tcp4()), out),
            TunnelStatus::kMalformed);
}

Bytes gtpu_header(uint32_t teid, const Bytes& body, uint8_t type = 0xFF, bool optional = false,
                  uint8_t next_ext = 0) {
  Bytes h = {uint8_t(0x30 | (optional ? 0x02 : 0)), type};
  put16(h, uint16_t(body.size() + (optional ? 4 : 0)));
  put32(h, teid);
  if (optional) {
    put16(h, 0x1234);  // sequence number
    h.push_back(0);
    h.push_back(next_ext);
  }
  return cat(h, body);
}

TEST_F(TunnelGtpu, GpduCarriesIpv4AndIpv6) {
  const Bytes inner4 = tcp4();
  TunnelPayload out;
  Bytes b = gtpu_header(0xDEADBEEF, inner4);
  ASSERT_EQ(run(decode_gtpu, b, out), TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kIPv4);
  EXPECT_EQ(out.id, 0xDEADBEEFu);
  EXPECT_EQ(bytes_of(out.bytes), inner4);
  expect_prefixes_truncated(decode_gtpu, b, 9);
  const Bytes inner6 = tcp6();
  ASSERT_EQ(run(decode_gtpu, gtpu_header(9, inner6), out), TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kIPv6);
}

TEST_F(TunnelGtpu, WalksExtensionHeadersAndStopsAtTheLengthField) {
  const Bytes inner = tcp4();
  // PDU session container (0x85, 4 bytes) then a 8-byte one of type 0x40.
  Bytes ext = {1, 0x10, 0x05, 0x40, 2, 1, 2, 3, 4, 5, 6, 0x00};
  Bytes b = gtpu_header(42, cat(ext, inner), 0xFF, true, 0x85);
  b.resize(b.size() + 6, 0xEE);  // link padding after the GTP length
  TunnelPayload out;
  ASSERT_EQ(run(decode_gtpu, b, out), TunnelStatus::kInner);
  EXPECT_EQ(bytes_of(out.bytes), inner);
  // An extension header of length 0 would loop forever: refused.
  Bytes zero = {0, 0x10, 0x05, 0x00};
  EXPECT_EQ(run(decode_gtpu, gtpu_header(42, cat(zero, inner), 0xFF, true, 0x85), out),
            TunnelStatus::kMalformed);
}

TEST_F(TunnelGtpu, ControlMessagesAndOtherVersions) {
  TunnelPayload out;
  EXPECT_EQ(run(decode_gtpu, gtpu_header(0, {}, 0x01, true), out), TunnelStatus::kNoUserData);
  EXPECT_EQ(run(decode_gtpu, gtpu_header(7, {}, 0xFE), out), TunnelStatus::kNoUserData);
  Bytes v2 = gtpu_header(7, tcp4());
  v2[0] = 0x48;  // GTPv2-C
  EXPECT_EQ(run(decode_gtpu, v2, out), TunnelStatus::kMalformed);
  Bytes prime = gtpu_header(7, tcp4());
  prime[0] = 0x20;  // PT = 0: GTP'
  EXPECT_EQ(run(decode_gtpu, prime, out), TunnelStatus::kMalformed);
  EXPECT_EQ(run(decode_gtpu, gtpu_header(7, pattern(20, 0xF0)), out), TunnelStatus::kUnknownNext);
}

Bytes gre_header(uint16_t flags, uint16_t protocol, const Bytes& fields) {
  Bytes h;
  put16(h, flags);
  put16(h, protocol);
  return cat(h, fields);
}

TEST_F(TunnelGre, OptionalFieldsAndKey) {
  const Bytes inner = tcp4();
  Bytes fields;
  put32(fields, 0xC0DE0000);  // checksum + reserved
  put32(fields, 0x11223344);  // key
  put32(fields, 99);          // sequence
  const Bytes b = cat(gre_header(0xB000, 0x0800, fields), inner);
  TunnelPayload out;
  out.kind = TunnelKind::kGre;
  ASSERT_EQ(decode_gre(view(b), out), TunnelStatus::kInner);
  EXPECT_EQ(out.kind, TunnelKind::kGre);
  EXPECT_TRUE(out.has_id);
  EXPECT_EQ(out.id, 0x11223344u);
  EXPECT_EQ(bytes_of(out.bytes), inner);
  expect_prefixes_truncated(decode_gre, b, 16);

  ASSERT_EQ(run(decode_gre, cat(gre_header(0, 0x86DD, {}), tcp6()), out), TunnelStatus::kInner);
  EXPECT_FALSE(out.has_id);
  EXPECT_EQ(out.type, InnerType::kIPv6);
  ASSERT_EQ(run(decode_gre, cat(gre_header(0x2000, 0x6558, {0, 0, 0, 5}), ethernet(tcp4())), out),
            TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kEthernet);
  EXPECT_EQ(out.id, 5u);
}

TEST_F(TunnelGre, RejectsUnknownVersionAndProtocol) {
  TunnelPayload out;
  EXPECT_EQ(run(decode_gre, cat(gre_header(0x0002, 0x0800, {}), tcp4()), out),
            TunnelStatus::kMalformed);
  EXPECT_EQ(run(decode_gre, cat(gre_header(0x0000, 0x8847, {}), pattern(20)), out),
            TunnelStatus::kUnknownNext);
  // Version 1 (PPTP) needs the key field.
  EXPECT_EQ(run(decode_gre, cat(gre_header(0x0001, 0x880B, {}), tcp4()), out),
            TunnelStatus::kMalformed);
}

TEST_F(TunnelGre, Rfc1701RoutingIsSkipped) {
  Bytes fields = {0, 0, 0, 0};                  // checksum/offset (present with R)
  Bytes sre = {0x08, 0x00, 0, 4, 1, 2, 3, 4};   // one IPv4 SRE
  Bytes end = {0, 0, 0, 0};                     // NULL SRE
  const Bytes inner = tcp4();
  const Bytes b = cat(gre_header(0x4000, 0x0800, cat(cat(fields, sre), end)), inner);
  TunnelPayload out;
  ASSERT_EQ(run(decode_gre, b, out), TunnelStatus::kInner);
  EXPECT_EQ(bytes_of(out.bytes), inner);
  expect_prefixes_truncated(decode_gre, b, 20);
}

TEST_F(TunnelGre, PptpCarriesPpp) {
  Bytes fields;
  put16(fields, 40);  // payload length
  put16(fields, 0x0777);  // call id
  put32(fields, 3);  // sequence
  const Bytes inner = tcp4();
  TunnelPayload out;
  Bytes framed = cat(Bytes{0xFF, 0x03, 0x00, 0x21}, inner);
  ASSERT_EQ(run(decode_gre, cat(gre_header(0x3001, 0x880B, fields), framed), out),
            TunnelStatus::kInner);
  EXPECT_EQ(out.id, 0x0777u);
  EXPECT_EQ(bytes_of(out.bytes), inner);
  // Protocol-field compression: one byte 0x57 for IPv6.
  const Bytes inner6 = tcp6();
  const Bytes compressed = cat(gre_header(0x3001, 0x880B, fields), cat(Bytes{0x57}, inner6));
  ASSERT_EQ(run(decode_gre, compressed, out), TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kIPv6);
  EXPECT_EQ(bytes_of(out.bytes), inner6);
  EXPECT_EQ(run(decode_gre, cat(gre_header(0x3001, 0x880B, fields), Bytes{0xC0, 0x21, 1}), out),
            TunnelStatus::kUnknownNext);
}

TEST_F(TunnelGre, ErspanTypesOneTwoThree) {
  const Bytes frame = ethernet(tcp4());
  TunnelPayload out;
  out.kind = TunnelKind::kGre;
  Bytes b1 = cat(gre_header(0, 0x88BE, {}), frame);
  ASSERT_EQ(decode_gre(view(b1), out), TunnelStatus::kInner);
  EXPECT_EQ(out.kind, TunnelKind::kErspan);
  EXPECT_FALSE(out.has_id);
  EXPECT_EQ(bytes_of(out.bytes), frame);

  Bytes seq = {0, 0, 0, 1};
  Bytes e2;
  put32(e2, 0x10000000 | 0x123);  // version 1 (type II), session 0x123
  put32(e2, 0);
  Bytes b2 = cat(gre_header(0x1000, 0x88BE, cat(seq, e2)), frame);
  ASSERT_EQ(run(decode_gre, b2, out), TunnelStatus::kInner);
  EXPECT_EQ(out.kind, TunnelKind::kErspan);
  EXPECT_EQ(out.id, 0x123u);
  EXPECT_EQ(bytes_of(out.bytes), frame);
  expect_prefixes_truncated(decode_gre, b2, 16);

  Bytes e3;
  put32(e3, 0x20000000 | 0x2AA);  // version 2 (type III)
  put32(e3, 0xCAFEF00D);          // timestamp
  put32(e3, 0x00000001);          // O flag: platform subheader follows
  Bytes b3 = cat(gre_header(0x1000, 0x22EB, cat(cat(seq, e3), pattern(8))), frame);
  ASSERT_EQ(run(decode_gre, b3, out), TunnelStatus::kInner);
  EXPECT_EQ(out.id, 0x2AAu);
  EXPECT_EQ(bytes_of(out.bytes), frame);
  expect_prefixes_truncated(decode_gre, b3, 28);
  Bytes bad = b2;
  bad[8] = 0x30;  // version 3 under the type II protocol
  EXPECT_EQ(run(decode_gre, bad, out), TunnelStatus::kMalformed);
}

TEST_F(TunnelIpInIp, VersionMustMatchTheProtocol) {
  TunnelPayload out;
  const Bytes inner4 = tcp4();
  ASSERT_EQ(run(decode_ip4_in_ip, inner4, out), TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kIPv4);
  EXPECT_EQ(run(decode_ip4_in_ip, tcp6(), out), TunnelStatus::kMalformed);
  ASSERT_EQ(run(decode_ip6_in_ip, tcp6(), out), TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kIPv6);
  EXPECT_EQ(run(decode_ip6_in_ip, inner4, out), TunnelStatus::kMalformed);
  EXPECT_EQ(run(decode_ip6_in_ip, {}, out), TunnelStatus::kTruncated);
}

TEST_F(TunnelTeredo, PlainAuthenticationAndOrigin) {
  const Bytes inner = tcp6();
  TunnelPayload out;
  ASSERT_EQ(run(decode_teredo, inner, out), TunnelStatus::kInner);
  EXPECT_EQ(bytes_of(out.bytes), inner);
  Bytes origin = {0x00, 0x00, 0xAB, 0xCD, 1, 2, 3, 4};
  Bytes auth = {0x00, 0x01, 2, 3, 'i', 'd', 'a', 'b', 'c'};
  append(auth, pattern(9));  // nonce + confirmation
  const Bytes b = cat(cat(auth, origin), inner);
  ASSERT_EQ(run(decode_teredo, b, out), TunnelStatus::kInner);
  EXPECT_EQ(out.type, InnerType::kIPv6);
  EXPECT_EQ(bytes_of(out.bytes), inner);
  expect_prefixes_truncated(decode_teredo, b, auth.size() + origin.size() + 1);
  EXPECT_EQ(run(decode_teredo, tcp4(), out), TunnelStatus::kMalformed);
}

}  // namespace
}  // namespace tcpflow::decode
