// The tcpspy rule language: every comparison, precedence, ranges, masks,
// names, rule files and errors with their columns.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "attrib/rules.h"
#include "util/error.h"

namespace tcpflow::attrib {
namespace {

NameLookup fake_lookup() {
  NameLookup lookup;
  lookup.user_id = [](const std::string& name) -> std::optional<uint32_t> {
    if (name == "joe") return 1001;
    if (name == "bob") return 1002;
    return std::nullopt;
  };
  lookup.tcp_port = [](const std::string& name) -> std::optional<uint16_t> {
    if (name == "ssh") return 22;
    if (name == "smtp") return 25;
    return std::nullopt;
  };
  return lookup;
}

decode::IpAddress ip(const char* text) {
  decode::IpAddress a;
  uint8_t raw[16] = {};
  if (::inet_pton(AF_INET, text, raw) == 1) {
    a.family = 4;
    std::copy(raw, raw + 4, a.bytes.begin());
  } else {
    EXPECT_EQ(::inet_pton(AF_INET6, text, raw), 1) << text;
    a.family = 6;
    std::copy(raw, raw + 16, a.bytes.begin());
  }
  return a;
}

RuleSubject subject(const char* local, uint16_t lport, const char* remote, uint16_t rport,
                    std::optional<uint32_t> uid = std::nullopt,
                    std::optional<std::string> exe = std::nullopt) {
  RuleSubject s;
  s.local = ip(local);
  s.remote = ip(remote);
  s.local_port = lport;
  s.remote_port = rport;
  s.uid = uid;
  s.exe = exe;
  return s;
}

bool match(const std::string& rule, const RuleSubject& s, bool exe_checked = true) {
  return Rule::parse(rule, fake_lookup()).matches(s, exe_checked);
}

std::string error_of(const std::string& rule) {
  try {
    Rule::parse(rule, fake_lookup());
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

const RuleSubject kJoeSsh = subject("10.1.2.3", 40000, "192.0.2.7", 22, 1001, "/usr/bin/ssh");

TEST(AttribRules, UserByIdAndName) {
  EXPECT_TRUE(match("user 1001", kJoeSsh));
  EXPECT_TRUE(match("user \"joe\"", kJoeSsh));
  EXPECT_FALSE(match("user \"bob\"", kJoeSsh));
  EXPECT_FALSE(match("user 0", kJoeSsh));
  RuleSubject unknown = kJoeSsh;
  unknown.uid.reset();
  EXPECT_FALSE(match("user 1001", unknown));
  EXPECT_TRUE(match("not user 1001", unknown));
}

TEST(AttribRules, Families) {
  EXPECT_TRUE(match("ip", kJoeSsh));
  EXPECT_FALSE(match("ip6", kJoeSsh));
  RuleSubject v6 = subject("::1", 5000, "::1", 80);
  EXPECT_TRUE(match("ip6", v6));
  EXPECT_FALSE(match("ip", v6));
}

TEST(AttribRules, PortsAndRanges) {
  EXPECT_TRUE(match("rport 22", kJoeSsh));
  EXPECT_FALSE(match("lport 22", kJoeSsh));
  EXPECT_TRUE(match("lport 40000", kJoeSsh));
  EXPECT_TRUE(match("lport 39999-40000", kJoeSsh));
  EXPECT_TRUE(match("lport 40000-40001", kJoeSsh));
  EXPECT_FALSE(match("lport 40001-50000", kJoeSsh));
  EXPECT_TRUE(match("lport 1024-", kJoeSsh));     // up to 65535
  EXPECT_FALSE(match("rport 23-", kJoeSsh));
  EXPECT_TRUE(match("rport -1023", kJoeSsh));     // from 0
  EXPECT_FALSE(match("lport -1023", kJoeSsh));
  EXPECT_TRUE(match("rport 0-65535", kJoeSsh));
  EXPECT_TRUE(match("rport \"ssh\"", kJoeSsh));
  EXPECT_FALSE(match("rport \"smtp\"", kJoeSsh));
}

TEST(AttribRules, AddressesAndMasks) {
  EXPECT_TRUE(match("laddr 10.0.0.0/8", kJoeSsh));
  EXPECT_TRUE(match("laddr 10.0.0.0/255.0.0.0", kJoeSsh));
  EXPECT_TRUE(match("laddr 10.1.2.3", kJoeSsh));   // default mask: all ones
  EXPECT_FALSE(match("laddr 10.1.2.4", kJoeSsh));
  EXPECT_TRUE(match("laddr 10.1.2.0/25", kJoeSsh));
  EXPECT_FALSE(match("laddr 10.1.2.128/25", kJoeSsh));
  EXPECT_TRUE(match("raddr 192.0.2.0/24", kJoeSsh));
  EXPECT_TRUE(match("raddr 0.0.0.0/0", kJoeSsh));
  EXPECT_FALSE(match("raddr ::/0", kJoeSsh));       // an IPv6 net implies ip6
  RuleSubject v6 = subject("2001:db8::5", 5000, "fe80::1", 80);
  EXPECT_TRUE(match("laddr 2001:db8::/32", v6));
  EXPECT_FALSE(match("laddr 2001:db9::/32", v6));
  EXPECT_TRUE(match("laddr 2001:db8::5", v6));      // default /128
  EXPECT_FALSE(match("laddr 2001:db8::6", v6));
  EXPECT_TRUE(match("raddr fe80::/10", v6));
  EXPECT_FALSE(match("laddr 0.0.0.0/0", v6));       // an IPv4 net implies ip
}

TEST(AttribRules, Exe) {
  EXPECT_TRUE(match("exe \"/usr/bin/ssh\"", kJoeSsh));
  EXPECT_TRUE(match("exe \"*ssh*\"", kJoeSsh));
  EXPECT_TRUE(match("exe \"/usr/bin/s?h\"", kJoeSsh));
  EXPECT_FALSE(match("exe \"*python*\"", kJoeSsh));
  EXPECT_FALSE(match("exe \"\"", kJoeSsh));
  RuleSubject unknown = kJoeSsh;
  unknown.exe.reset();
  EXPECT_TRUE(match("exe \"\"", unknown));
  EXPECT_FALSE(match("exe \"*\"", unknown));
  // Without process lookups, exe is always true (tcpspy without -p).
  EXPECT_TRUE(match("exe \"*python*\"", kJoeSsh, false));
  EXPECT_TRUE(Rule::parse("ip or exe \"x\"", fake_lookup()).uses_exe());
  EXPECT_FALSE(Rule::parse("ip", fake_lookup()).uses_exe());
}

TEST(AttribRules, PrecedenceNotAndOr) {
  // and binds tighter than or: true or (false and false) is true.
  EXPECT_TRUE(match("ip or ip6 and user 0", kJoeSsh));
  // (false and ...) or true.
  EXPECT_TRUE(match("ip6 and user 0 or rport 22", kJoeSsh));
  // not binds tighter than and.
  EXPECT_FALSE(match("not ip and rport 22", kJoeSsh));
  EXPECT_TRUE(match("not (ip6 and rport 22)", kJoeSsh));
  EXPECT_FALSE(match("not not ip6", kJoeSsh));
  EXPECT_TRUE(match("(user \"bob\" or user \"joe\") and rport 22 and not raddr 10.0.0.0/8",
                    kJoeSsh));
  EXPECT_FALSE(match("(user \"bob\" or user \"joe\") and rport 25", kJoeSsh));
  EXPECT_TRUE(match("user \"joe\" and rport \"ssh\"", kJoeSsh));
  EXPECT_TRUE(match("  ( ( ip ) )  ", kJoeSsh));  // whitespace ignored
  EXPECT_TRUE(match("(ip)and(rport 22)", kJoeSsh));
}

TEST(AttribRules, EmptyRuleMatchesNothing) {
  EXPECT_FALSE(match("", kJoeSsh));
  EXPECT_FALSE(match("   ", kJoeSsh));
}

TEST(AttribRules, ErrorsNameTheRuleAndColumn) {
  EXPECT_EQ(error_of("lport -"), "rule 'lport -': column 7: a port range needs at least one end at '-'");
  EXPECT_NE(error_of("ip and").find("column 7"), std::string::npos);
  EXPECT_NE(error_of("ip and").find("at the end"), std::string::npos);
  EXPECT_NE(error_of("ip ip6").find("column 4"), std::string::npos);
  EXPECT_NE(error_of("(ip").find("expected ')'"), std::string::npos);
  EXPECT_NE(error_of("ip)").find("column 3"), std::string::npos);
  EXPECT_NE(error_of("frobnicate 3").find("column 1: unknown comparison 'frobnicate'"),
            std::string::npos);
  EXPECT_NE(error_of("ip or  user \"nobody-here\"").find("column 13: unknown user"),
            std::string::npos);
  EXPECT_NE(error_of("rport \"gopherx\"").find("unknown service 'gopherx'"), std::string::npos);
  EXPECT_NE(error_of("lport 70000").find("0 to 65535"), std::string::npos);
  EXPECT_NE(error_of("lport 20-10").find("low end"), std::string::npos);
  EXPECT_NE(error_of("laddr 10.0.0.0/33").find("prefix length"), std::string::npos);
  EXPECT_NE(error_of("laddr 10.0.0.0/255.0.255.0").find("contiguous"), std::string::npos);
  EXPECT_NE(error_of("laddr ::/255.0.0.0").find("IPv6 mask"), std::string::npos);
  EXPECT_NE(error_of("laddr host.example").find("not an IPv4 or IPv6 address"),
            std::string::npos);
  EXPECT_NE(error_of("exe /bin/sh").find("quoted glob"), std::string::npos);
  EXPECT_NE(error_of("exe \"/bin/sh").find("column 5: unterminated string"), std::string::npos);
  EXPECT_NE(error_of("user").find("uid or a quoted user name"), std::string::npos);
  EXPECT_NE(error_of("ip & ip6").find("column 4: unexpected character '&'"), std::string::npos);
}

class RulesFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/tcpflow-rules-XXXXXX";
    int fd = ::mkstemp(name);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = name;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void write(const std::string& text) { std::ofstream(path_) << text; }
  std::string path_;
};

TEST_F(RulesFileTest, OneRuleALineWithComments) {
  write("# who may talk\n\nrport 25   # mail\nuser \"joe\" and exe \"#x\"\n");
  RuleSet rules;
  rules.add_file(path_, fake_lookup());
  EXPECT_EQ(rules.size(), 2u);
  EXPECT_TRUE(rules.uses_exe());
  EXPECT_TRUE(rules.matches(subject("10.0.0.1", 5000, "10.0.0.2", 25), true));
  EXPECT_FALSE(rules.matches(kJoeSsh, true));  // exe "#x" keeps its '#'
  EXPECT_TRUE(rules.matches(kJoeSsh, false));
}

TEST_F(RulesFileTest, EmptyFileMatchesNothing) {
  write("# nothing\n\n");
  RuleSet rules;
  rules.add_file(path_, fake_lookup());
  EXPECT_TRUE(rules.active());
  EXPECT_FALSE(rules.matches(kJoeSsh, true));
}

TEST_F(RulesFileTest, BadLineNamesFileAndLine) {
  write("ip\nlport 1-x\n");
  RuleSet rules;
  try {
    rules.add_file(path_, fake_lookup());
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(path_ + " line 2: rule 'lport 1-x': column 7"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(rules.add_file("/nonexistent/rules", fake_lookup()), Error);
}

TEST(AttribRuleSet, NoRulesKeepsEverythingAnyMatchKeeps) {
  RuleSet none;
  EXPECT_FALSE(none.active());
  EXPECT_TRUE(none.matches(kJoeSsh, true));
  RuleSet two;
  two.add(Rule::parse("rport 80", fake_lookup()));
  EXPECT_FALSE(two.matches(kJoeSsh, true));
  two.add(Rule::parse("user 1001", fake_lookup()));
  EXPECT_TRUE(two.matches(kJoeSsh, true));
}

TEST(AttribRules, SystemLookupKnowsRootAndSsh) {
  NameLookup lookup = NameLookup::system();
  EXPECT_EQ(lookup.user_id("root"), std::optional<uint32_t>(0));
  EXPECT_FALSE(lookup.user_id("no-such-user-tcpflow").has_value());
  if (lookup.tcp_port("ssh")) {
    EXPECT_EQ(*lookup.tcp_port("ssh"), 22);
  }
}

}  // namespace
}  // namespace tcpflow::attrib
