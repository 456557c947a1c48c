#include <gtest/gtest.h>

#include <string>

#include "flow/text_format.h"

namespace tcpflow::flow {
namespace {

decode::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress address;
  address.family = 4;
  address.bytes[0] = a;
  address.bytes[1] = b;
  address.bytes[2] = c;
  address.bytes[3] = d;
  return address;
}

TEST(TextFormat, Decimals) {
  std::string out;
  append_decimal(out, 7, 3);
  out += ' ';
  append_decimal(out, 123456, 2);
  out += ' ';
  append_signed_decimal(out, -42);
  EXPECT_EQ(out, "007 123456 -42");
}

TEST(TextFormat, AddressesPlainAndPadded) {
  EXPECT_EQ(ip_to_string(v4(192, 0, 2, 1)), "192.0.2.1");
  std::string padded;
  append_ip_padded(padded, v4(10, 0, 0, 1));
  EXPECT_EQ(padded, "010.000.000.001");
  decode::IpAddress v6;
  v6.family = 6;
  v6.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(ip_to_string(v6), "2001:db8::1");
  std::string v6_padded;
  append_ip_padded(v6_padded, v6);
  EXPECT_EQ(v6_padded, "2001:db8::1");
  EXPECT_EQ(ip_to_string(decode::IpAddress{}), "");
  EXPECT_STREQ(family_name(v6), "ipv6");
  EXPECT_STREQ(family_name(decode::IpAddress{}), "unknown");
}

TEST(TextFormat, MacAndDirection) {
  EXPECT_EQ(mac_to_string({0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc}), "00:11:22:aa:bb:cc");
  EXPECT_EQ(view(mac_text({0xff, 0x0a, 0xa0, 0x00, 0x9f, 0xf9})), "ff:0a:a0:00:9f:f9");
  std::string appended = "x";
  append_mac(appended, {0xff, 0x0a, 0xa0, 0x00, 0x9f, 0xf9});
  EXPECT_EQ(appended, "xff:0a:a0:00:9f:f9");
  FlowInfo info;
  EXPECT_STREQ(direction_name(info), "unknown");
  info.direction_known = true;
  info.is_client = true;
  EXPECT_STREQ(direction_name(info), "client");
}

TEST(TextFormat, CivilDatesOnBothSidesOfTheEpoch) {
  CivilDate leap = civil_from_days(11016);  // 2000-02-29
  EXPECT_EQ(leap.year, 2000);
  EXPECT_EQ(leap.month, 2u);
  EXPECT_EQ(leap.day, 29u);
  CivilDate before = civil_from_days(-1);
  EXPECT_EQ(before.year, 1969);
  EXPECT_EQ(before.month, 12u);
  EXPECT_EQ(before.day, 31u);
  std::string out;
  append_iso_seconds(out, 1000000000);
  out += ' ';
  append_iso_seconds(out, -1);
  EXPECT_EQ(out, "2001-09-09T01:46:40 1969-12-31T23:59:59");
}

}  // namespace
}  // namespace tcpflow::flow
