// The spelling rules shared by report.xml and flows.jsonl.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "report/flow_format.h"
#include "report/text_escape.h"
#include "report/xml_emitter.h"
#include "report_test_support.h"

namespace tcpflow::report {
namespace {

TEST(EscapeBytes, LeavesPlainTextAndValidUtf8Alone) {
  EXPECT_EQ(escape_bytes("plain <&'\"> text"), "plain <&'\"> text");
  EXPECT_EQ(escape_bytes("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(escape_bytes("\xef\xbf\xbd"), "\xef\xbf\xbd");  // U+FFFD is a fine character
  EXPECT_EQ(escape_bytes(""), "");
}

TEST(EscapeBytes, DoublesBackslashesSoTheRuleIsReversible) {
  EXPECT_EQ(escape_bytes("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_bytes("\\x41"), "\\\\x41");  // a literal "\x41" is not the byte 0x41
}

TEST(EscapeBytes, EscapesControlCharacters) {
  EXPECT_EQ(escape_bytes(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_bytes("\t\n\r\x1f\x7f"), "\\x09\\x0a\\x0d\\x1f\\x7f");
  EXPECT_EQ(escape_bytes("\t\n\r\x01", EscapeMode::kText), "\t\n\\x0d\\x01");
}

TEST(EscapeBytes, EscapesEveryByteOfAnInvalidSequence) {
  EXPECT_EQ(escape_bytes("\x80"), "\\x80");                 // lone continuation byte
  EXPECT_EQ(escape_bytes("\xc0\x80"), "\\xc0\\x80");        // overlong NUL
  EXPECT_EQ(escape_bytes("\xe0\x80\x80"), "\\xe0\\x80\\x80");  // overlong 3-byte
  EXPECT_EQ(escape_bytes("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // UTF-16 surrogate
  EXPECT_EQ(escape_bytes("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(escape_bytes("\xf5\x80"), "\\xf5\\x80");
  EXPECT_EQ(escape_bytes("ok\xe2\x82"), "ok\\xe2\\x82");    // truncated at the end
  EXPECT_EQ(escape_bytes("\xe2\x82x"), "\\xe2\\x82x");      // truncated mid-string
  EXPECT_EQ(escape_bytes("\xef\xbf\xbe\xef\xbf\xbf"),       // U+FFFE, U+FFFF: not XML
            "\\xef\\xbf\\xbe\\xef\\xbf\\xbf");
  EXPECT_EQ(escape_bytes(testing::kHostileName), testing::kHostileNameEscaped);
}

TEST(SanitizeXmlName, KeepsGoodNamesAndRepairsBadOnes) {
  EXPECT_EQ(sanitize_xml_name("hashdigest"), "hashdigest");
  EXPECT_EQ(sanitize_xml_name("tcpflow:flow"), "tcpflow:flow");
  EXPECT_EQ(sanitize_xml_name("a-b.c_d9"), "a-b.c_d9");
  EXPECT_EQ(sanitize_xml_name("bad name<"), "bad_name_");
  EXPECT_EQ(sanitize_xml_name("9lives"), "_9lives");
  EXPECT_EQ(sanitize_xml_name(""), "_");
  EXPECT_EQ(sanitize_xml_name("a:b:c"), "a:b_c");
  EXPECT_EQ(sanitize_xml_name(":x"), "_:x");
  EXPECT_EQ(sanitize_xml_name("caf\xc3\xa9"), "caf__");
}

TEST(AppendJsonString, QuotesAndEscapes) {
  std::string out;
  append_json_string(out, "a\"b\\c\n\t\r\x01\x7f\xc3\xa9");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u007f\xc3\xa9\"");
}

TEST(Iso8601, PrintsMicrosecondsOrNanoseconds) {
  EXPECT_EQ(iso8601_utc({0, 0}), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(iso8601_utc({1714564800, 250000000}), "2024-05-01T12:00:00.250000Z");
  EXPECT_EQ(iso8601_utc({1714564800, 123456789}), "2024-05-01T12:00:00.123456789Z");
  EXPECT_EQ(iso8601_utc({1714564800, 1000}), "2024-05-01T12:00:00.000001Z");
  EXPECT_EQ(iso8601_utc({951782400, 0}), "2000-02-29T00:00:00.000000Z");
  EXPECT_EQ(iso8601_utc({-1, 500000000}), "1969-12-31T23:59:59.500000Z");
}

TEST(Iso8601, AppendsAfterWhatIsThere) {
  std::string out = "at ";
  append_iso8601_utc(out, {1714564800, 250000000});
  append_iso8601_utc(out, {253402300800, 0});  // year 10000: the gmtime path
  EXPECT_EQ(out, "at 2024-05-01T12:00:00.250000Z10000-01-01T00:00:00.000000Z");
}

// The emitter's time overloads write what iso8601_utc spells, reusing one
// buffer across values of different lengths.
TEST(XmlEmitterTimes, AttributesAndLeavesSpellTimesAsIso8601) {
  const std::string written = testing::emitted_xml([](XmlEmitter& xml) {
    xml.open("flow");
    xml.attribute("start_time", Timestamp{1714564800, 123456789});
    xml.attribute("end_time", Timestamp{0, 0});
    xml.leaf("mtime", Timestamp{951782400, 1000});
    xml.close();
  });
  EXPECT_EQ(written,
            "<flow start_time=\"2024-05-01T12:00:00.123456789Z\" "
            "end_time=\"1970-01-01T00:00:00.000000Z\">\n"
            "  <mtime>2000-02-29T00:00:00.000001Z</mtime>\n"
            "</flow>\n");
}

TEST(Iso8601, AgreesWithGmtimeFrom1970ToYear9999) {
  std::mt19937_64 rng(11);
  std::vector<int64_t> seconds = {0, 86399, 86400, 951782399, 951868800, 4107542400,
                                  253402300799};  // 2100-03-01 (no leap day), 9999-12-31
  for (int i = 0; i < 20000; ++i) seconds.push_back(static_cast<int64_t>(rng() % 253402300800));
  for (int64_t sec : seconds) {
    time_t t = static_cast<time_t>(sec);
    struct tm tm {};
    ASSERT_NE(gmtime_r(&t, &tm), nullptr);
    char expected[40];
    std::strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%S.000007Z", &tm);
    ASSERT_EQ(iso8601_utc({sec, 7000}), expected) << sec;
  }
  EXPECT_EQ(epoch_decimal({253402300800, 1}), "253402300800.000000001");
}

TEST(EpochDecimal, IsExactAndHandlesTimesBefore1970) {
  EXPECT_EQ(epoch_decimal({1714564800, 250000000}), "1714564800.250000");
  EXPECT_EQ(epoch_decimal({1714564803, 5}), "1714564803.000000005");
  EXPECT_EQ(epoch_decimal({0, 0}), "0.000000");
  EXPECT_EQ(epoch_decimal({-5, 250000000}), "-4.750000");
  EXPECT_EQ(epoch_decimal({-1, 500000000}), "-0.500000");
  EXPECT_EQ(epoch_decimal({-5, 0}), "-5.000000");
}

TEST(FlowFormat, AddressesAndMacs) {
  EXPECT_EQ(ip_to_string(testing::ipv4(192, 0, 2, 1)), "192.0.2.1");
  EXPECT_EQ(ip_to_string(testing::ipv4(0, 10, 100, 255)), "0.10.100.255");
  EXPECT_EQ(ip_to_string(testing::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                        0, 0x01})),
            "2001:db8::1");
  EXPECT_EQ(ip_to_string(testing::ipv6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1})),
            "::ffff:10.0.0.1");
  EXPECT_EQ(ip_to_string(decode::IpAddress{}), "");
  EXPECT_STREQ(family_name(testing::ipv4(1, 2, 3, 4)), "ipv4");
  EXPECT_STREQ(family_name(decode::IpAddress{}), "unknown");
  EXPECT_EQ(mac_to_string({0x00, 0x1b, 0x2c, 0xfe, 0xff, 0x0a}), "00:1b:2c:fe:ff:0a");
  EXPECT_EQ(mac_to_string({0xff, 0xa0, 0x09, 0x90, 0x0f, 0xf0}), "ff:a0:09:90:0f:f0");
}

TEST(FlowFormat, DirectionAndGapBytes) {
  auto flows = testing::sample_flows();
  EXPECT_STREQ(direction_name(flows[0]), "client");
  EXPECT_STREQ(direction_name(flows[1]), "server");
  EXPECT_STREQ(direction_name(flows[2]), "unknown");
  EXPECT_EQ(gap_bytes(flows[1]), 70u);
  EXPECT_EQ(gap_bytes(flows[0]), 0u);
}

}  // namespace
}  // namespace tcpflow::report
