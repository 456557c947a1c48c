#include "output/filename_template.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "util/error.h"

namespace tcpflow::output {
namespace {

decode::IpAddress ip(const char* text) {
  decode::IpAddress a;
  if (inet_pton(AF_INET, text, a.bytes.data()) == 1) {
    a.family = 4;
  } else if (inet_pton(AF_INET6, text, a.bytes.data()) == 1) {
    a.family = 6;
  }
  return a;
}

flow::FlowInfo v4_flow() {
  flow::FlowInfo f;
  f.src = ip("10.0.0.1");
  f.dst = ip("192.168.1.2");
  f.src_port = 1234;
  f.dst_port = 80;
  f.first_ts.sec = 1000000000;
  return f;
}

flow::FlowInfo v6_flow() {
  flow::FlowInfo f;
  f.src = ip("2001:db8::1");
  f.dst = ip("2001:db8::2");
  f.src_port = 40000;
  f.dst_port = 443;
  f.first_ts.sec = 1000000040;
  return f;
}

std::string render(const std::string& tmpl, const flow::FlowInfo& f, bool always = false) {
  return FilenameTemplate::parse(tmpl, always).render(f);
}

TEST(FilenameTemplate, DefaultTemplateMatchesTcpflow) {
  const char* kDefault = "%A.%a-%B.%b%V%v%C%c";
  flow::FlowInfo f = v4_flow();
  EXPECT_EQ(render(kDefault, f), "010.000.000.001.01234-192.168.001.002.00080");
  f.connection_count = 2;
  EXPECT_EQ(render(kDefault, f), "010.000.000.001.01234-192.168.001.002.00080c2");
  f.connection_count = 0;
  f.vlan = 42;
  EXPECT_EQ(render(kDefault, f), "010.000.000.001.01234-192.168.001.002.00080--42");
  EXPECT_EQ(render(kDefault, v6_flow()), "2001:db8::1.40000-2001:db8::2.00443");
}

TEST(FilenameTemplate, Ipv4AddressesAreZeroPadded) {
  flow::FlowInfo f = v4_flow();
  EXPECT_EQ(render("%A", f), "010.000.000.001");
  EXPECT_EQ(render("%B", f), "192.168.001.002");
  f.src = ip("255.0.7.99");
  EXPECT_EQ(render("%A", f), "255.000.007.099");
}

TEST(FilenameTemplate, Ipv6AddressesUseCanonicalText) {
  flow::FlowInfo f = v6_flow();
  EXPECT_EQ(render("%A", f), "2001:db8::1");
  EXPECT_EQ(render("%B", f), "2001:db8::2");
  f.src = ip("fe80:0:0:0:1:0:0:1");
  EXPECT_EQ(render("%A", f), "fe80::1:0:0:1");
  f.src = ip("::ffff:10.0.0.1");
  EXPECT_EQ(render("%A", f), "::ffff:10.0.0.1");
}

TEST(FilenameTemplate, PortsAreFiveDigits) {
  flow::FlowInfo f = v4_flow();
  EXPECT_EQ(render("%a", f), "01234");
  EXPECT_EQ(render("%b", f), "00080");
  f.src_port = 65535;
  f.dst_port = 0;
  EXPECT_EQ(render("%a-%b", f), "65535-00000");
  EXPECT_EQ(render("%a-%b", v6_flow()), "40000-00443");
}

TEST(FilenameTemplate, MacAddressesLowercaseWithColons) {
  flow::FlowInfo f = v4_flow();
  EXPECT_EQ(render("[%E][%e]", f), "[][]");  // no MACs: empty
  f.has_macs = true;
  f.src_mac = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
  f.dst_mac = {0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB};
  EXPECT_EQ(render("%E", f), "00:11:22:33:44:55");
  EXPECT_EQ(render("%e", f), "66:77:88:99:aa:bb");
}

TEST(FilenameTemplate, VlanCodes) {
  flow::FlowInfo f = v4_flow();
  EXPECT_EQ(render("[%V][%v]", f), "[][]");
  f.vlan = 42;
  EXPECT_EQ(render("[%V][%v]", f), "[--][42]");
  f.vlan = 0;  // VID 0 (priority-only tag) is still a tag
  EXPECT_EQ(render("[%V][%v]", f), "[--][0]");
  f.vlan = 4095;
  EXPECT_EQ(render("%v", f), "4095");
  flow::FlowInfo g = v6_flow();
  g.vlan = 7;
  EXPECT_EQ(render("%V%v", g), "--7");
}

TEST(FilenameTemplate, IsoTime) {
  flow::FlowInfo f = v4_flow();
  EXPECT_EQ(render("%T", f), "2001-09-09T01:46:40Z");
  f.first_ts.sec = 0;
  EXPECT_EQ(render("%T", f), "1970-01-01T00:00:00Z");
  f.first_ts.sec = 951782400;  // leap day
  EXPECT_EQ(render("%T", f), "2000-02-29T00:00:00Z");
  f.first_ts.sec = 1709251199;
  EXPECT_EQ(render("%T", f), "2024-02-29T23:59:59Z");
  f.first_ts.sec = 4102444800;
  EXPECT_EQ(render("%T", f), "2100-01-01T00:00:00Z");
  f.first_ts.sec = -1;
  EXPECT_EQ(render("%T", f), "1969-12-31T23:59:59Z");
  f.first_ts.nsec = 999999999;  // fractions never show
  f.first_ts.sec = 1000000000;
  EXPECT_EQ(render("%T", f), "2001-09-09T01:46:40Z");
}

TEST(FilenameTemplate, UnixTime) {
  flow::FlowInfo f = v4_flow();
  EXPECT_EQ(render("%t", f), "1000000000");
  f.first_ts.sec = 0;
  EXPECT_EQ(render("%t", f), "0");
  EXPECT_EQ(render("%tT%A", v6_flow()), "1000000040T2001:db8::1");
}

TEST(FilenameTemplate, CountCodes) {
  flow::FlowInfo f = v4_flow();
  f.connection_count = 0;
  EXPECT_EQ(render("[%c][%C][%#]", f), "[][][0]");
  f.connection_count = 1;
  EXPECT_EQ(render("[%c][%C][%#]", f), "[1][c][1]");
  f.connection_count = 2;
  EXPECT_EQ(render("[%c][%C][%#]", f), "[2][c][2]");
}

TEST(FilenameTemplate, AlwaysCountRendersCountZero) {
  flow::FlowInfo f = v4_flow();
  const char* kDefault = "%A.%a-%B.%b%V%v%C%c";
  EXPECT_EQ(render(kDefault, f, true), "010.000.000.001.01234-192.168.001.002.00080c0");
  f.connection_count = 1;
  EXPECT_EQ(render(kDefault, f, true), "010.000.000.001.01234-192.168.001.002.00080c1");
  f.connection_count = 2;
  EXPECT_EQ(render("[%c][%C][%#]", f, true), "[2][c][2]");
  EXPECT_EQ(render("%C%c", v6_flow(), true), "c0");
}

TEST(FilenameTemplate, FlowIdCodesAreThreeDigits) {
  flow::FlowInfo f = v4_flow();
  f.flow_id = 1234567890123ull;
  EXPECT_EQ(render("%N", f), "123");
  EXPECT_EQ(render("%K", f), "890");
  EXPECT_EQ(render("%M", f), "567");
  EXPECT_EQ(render("%G", f), "234");
  f.flow_id = 7;
  EXPECT_EQ(render("%N %K %M %G", f), "007 000 000 000");
}

TEST(FilenameTemplate, BinningPrefixesMatchTcpflow) {
  flow::FlowInfo f = v4_flow();
  f.flow_id = 0;
  EXPECT_EQ(render("%K/%A", f), "000/010.000.000.001");
  EXPECT_EQ(render("%M000-%M999/%M%K/x", f), "000000-000999/000000/x");
  EXPECT_EQ(render("%G000000-%G999999/%G%M000-%G%M999/%G%M%K/x", f),
            "000000000-000999999/000000000-000000999/000000000/x");
  f.flow_id = 2345678;
  EXPECT_EQ(render("%M000-%M999/%M%K/", f), "002000-002999/002345/");
}

TEST(FilenameTemplate, ConnectionIdIsTwentyDigits) {
  flow::FlowInfo f = v4_flow();
  // tcpflow 1.6.1 numbers sessions from 0; connection ids start at 1.
  f.connection_id = 7;
  EXPECT_EQ(render("%S", f), "00000000000000000006");
  f.connection_id = UINT64_MAX;
  EXPECT_EQ(render("%S", f), "18446744073709551614");
}

TEST(FilenameTemplate, PercentEscapeAndLiterals) {
  flow::FlowInfo f = v4_flow();
  EXPECT_EQ(render("%%", f), "%");
  EXPECT_EQ(render("100%%_%a", f), "100%_01234");
  EXPECT_EQ(render("plain.name", f), "plain.name");
  EXPECT_EQ(render("", f), "");
}

TEST(FilenameTemplate, SlashIsKept) {
  EXPECT_EQ(render("%A/%a/%B/%b.flow", v4_flow()), "010.000.000.001/01234/192.168.001.002/00080.flow");
}

TEST(FilenameTemplate, RenderBaseIgnoresTheCount) {
  FilenameTemplate t = FilenameTemplate::parse("%A%C%c-%#");
  flow::FlowInfo f = v4_flow();
  std::string base0 = t.render_base(f);
  f.connection_count = 3;
  EXPECT_EQ(t.render_base(f), base0);
  const std::string m(1, FilenameTemplate::kCountMarker);
  EXPECT_EQ(base0, "010.000.000.001" + m + m + "-" + m);
  f.src_port = 9;  // other fields still count
  EXPECT_EQ(FilenameTemplate::parse("%a%c").render_base(f), "00009" + m);
}

TEST(FilenameTemplate, HasCountCode) {
  EXPECT_TRUE(FilenameTemplate::parse("%A%c").has_count_code());
  EXPECT_TRUE(FilenameTemplate::parse("%A%#").has_count_code());
  EXPECT_FALSE(FilenameTemplate::parse("%A%C").has_count_code());
  EXPECT_FALSE(FilenameTemplate::parse("%A%%c").has_count_code());
  EXPECT_FALSE(FilenameTemplate::parse("").has_count_code());
  EXPECT_EQ(FilenameTemplate::parse("%A").text(), "%A");
}

TEST(FilenameTemplate, RejectsUnknownCodes) {
  EXPECT_THROW(FilenameTemplate::parse("%Q"), UsageError);
  EXPECT_THROW(FilenameTemplate::parse("%A%x"), UsageError);
  EXPECT_THROW(FilenameTemplate::parse("%n"), UsageError);
  try {
    FilenameTemplate::parse("x%Qy");
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "filename template 'x%Qy' has an unknown code '%Q'");
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(FilenameTemplate, RejectsTrailingPercent) {
  EXPECT_THROW(FilenameTemplate::parse("abc%"), UsageError);
  EXPECT_THROW(FilenameTemplate::parse("%"), UsageError);
  EXPECT_NO_THROW(FilenameTemplate::parse("abc%%"));
}

TEST(SanitizeRelativePath, NeverLeavesTheOutputDirectory) {
  EXPECT_EQ(sanitize_relative_path("../../etc/passwd"), "_../_../etc/passwd");
  EXPECT_EQ(sanitize_relative_path("/abs"), "abs");
  EXPECT_EQ(sanitize_relative_path("a/../../b"), "a/_../_../b");
  EXPECT_EQ(sanitize_relative_path(".."), "_..");
  EXPECT_EQ(sanitize_relative_path("/.."), "_..");
  EXPECT_EQ(sanitize_relative_path("..."), "...");
}

TEST(SanitizeRelativePath, NeverEmpty) {
  EXPECT_EQ(sanitize_relative_path(""), "_");
  EXPECT_EQ(sanitize_relative_path("/"), "_");
  EXPECT_EQ(sanitize_relative_path("."), "_");
  EXPECT_EQ(sanitize_relative_path("./"), "_");
}

// Appended after what the buffer holds: the rules apply to the new part
// alone (its first component gets no '/' before it, an empty one is "_").
TEST(SanitizeRelativePath, IntoAppendsAfterWhatIsThere) {
  std::string out = "keep";
  sanitize_relative_path_into("/../a//b", out);
  EXPECT_EQ(out, "keep_../a/b");
  out = "keep";
  sanitize_relative_path_into("./", out);
  EXPECT_EQ(out, "keep_");
  out.clear();
  sanitize_relative_path_into(std::string(300, 'x') + "/y", out);
  EXPECT_EQ(out, std::string(255, 'x') + "/y");
}

TEST(SanitizeRelativePath, CollapsesEmptyAndDotComponents) {
  EXPECT_EQ(sanitize_relative_path("//a///b/"), "a/b");
  EXPECT_EQ(sanitize_relative_path("./a/./b"), "a/b");
  EXPECT_EQ(sanitize_relative_path("000/010.000.000.001.01234"), "000/010.000.000.001.01234");
  EXPECT_EQ(sanitize_relative_path(".hidden"), ".hidden");
}

TEST(SanitizeRelativePath, ReplacesControlCharacters) {
  EXPECT_EQ(sanitize_relative_path(std::string("a\0b", 3)), "a_b");
  EXPECT_EQ(sanitize_relative_path("a\nb\x01\x7f"), "a_b__");
  EXPECT_EQ(sanitize_relative_path("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 kept
}

TEST(SanitizeRelativePath, CutsOverlongComponents) {
  std::string longname(300, 'x');
  EXPECT_EQ(sanitize_relative_path("d/" + longname), "d/" + std::string(255, 'x'));
}

}  // namespace
}  // namespace tcpflow::output

namespace tcpflow::output {
namespace {

// %U and %P: the user and command of the connection's process on this host;
// "unknown" without one; a '/' in either never adds a directory, and a
// command named ".." never climbs out of the output directory.
TEST(FilenameTemplate, LocalUserAndCommandCodes) {
  FilenameTemplate t = FilenameTemplate::parse("%U/%P/%a");
  EXPECT_TRUE(t.has_process_code());
  EXPECT_FALSE(FilenameTemplate::parse("%A.%a").has_process_code());
  flow::FlowInfo info;
  info.src_port = 80;
  EXPECT_EQ(t.render(info), "unknown/unknown/00080");
  flow::ProcessInfo process;
  process.user = "joe";
  process.cmd = "curl";
  EXPECT_EQ(t.render(info, &process), "joe/curl/00080");
  process.cmd = "a/b";
  EXPECT_EQ(t.render(info, &process), "joe/a_b/00080");
  process.user.clear();  // a uid without a name still has its number; empty is unknown
  process.cmd = "..";
  EXPECT_EQ(t.render(info, &process), "unknown/_../00080");
  process.cmd = "a\tb\x7f";  // the name counted is the name written
  EXPECT_EQ(t.render(info, &process), "unknown/a_b_/00080");
  EXPECT_EQ(sanitize_relative_path(t.render(info, &process)), t.render(info, &process));
}

}  // namespace
}  // namespace tcpflow::output
