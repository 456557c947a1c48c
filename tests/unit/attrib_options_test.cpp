// The options of issue 14 as parse_options() turns them into Config.attrib.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/options.h"
#include "util/error.h"

namespace tcpflow::app {
namespace {

Config parse(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"tcpflow"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return parse_options(static_cast<int>(argv.size()), argv.data()).config;
}

std::string error_of(const std::vector<std::string>& args) {
  try {
    parse(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(AttribOptions, ConnlogAndFormat) {
  Config c = parse({"-r", "x", "--connlog", "log", "--connlog-format", "json"});
  EXPECT_EQ(c.attrib.connlog, "log");
  EXPECT_EQ(c.attrib.connlog_format.style(), report::ConnectionLogFormat::Style::kJson);
  EXPECT_EQ(parse({"-r", "x", "--connlog", "-"}).attrib.connlog_format.style(),
            report::ConnectionLogFormat::Style::kText);
  EXPECT_EQ(error_of({"-r", "x", "--connlog-format", "json"}),
            "--connlog-format needs --connlog DEST");
  EXPECT_NE(error_of({"-r", "x", "--connlog", "syslog:bogus"}).find("unknown syslog facility"),
            std::string::npos);
  EXPECT_EQ(parse({"-r", "x", "--connlog", "syslog:local3"}).attrib.connlog, "syslog:local3");
}

TEST(AttribOptions, RulesRepeatAndErrorsNameTheColumn) {
  Config c = parse({"-r", "x", "--rule", "lport 22", "--rule", "ip6"});
  EXPECT_TRUE(c.attrib.rules.active());
  EXPECT_EQ(c.attrib.rules.size(), 2u);
  EXPECT_FALSE(parse({"-r", "x"}).attrib.rules.active());
  EXPECT_NE(error_of({"-r", "x", "--rule", "lport 22 andd ip"}).find("column 10"),
            std::string::npos);
  EXPECT_NE(error_of({"-r", "x", "--rules-file", "/nonexistent/r"}).find("cannot read"),
            std::string::npos);
}

TEST(AttribOptions, ProcessesNeedALiveCapture) {
  EXPECT_NE(error_of({"-r", "x", "--processes"}).find("--processes needs a live capture"),
            std::string::npos);
  EXPECT_TRUE(parse({"-i", "lo", "--processes"}).attrib.processes);
}

TEST(AttribOptions, SnoopWritesNoFlowFilesAndTakesJ) {
  Config c = parse({"-r", "x", "--snoop", "--snoop-time"});
  EXPECT_TRUE(c.attrib.snoop);
  EXPECT_TRUE(c.attrib.snoop_time);
  EXPECT_FALSE(c.store_flows);
  Config j = parse({"-r", "x", "--snoop", "-J"});
  EXPECT_EQ(j.console, ConsoleMode::kNone);  // JSON snoop lines, not the JSON console
  EXPECT_TRUE(j.console_options.json);
  EXPECT_EQ(error_of({"-r", "x", "--snoop-time"}), "--snoop-time needs --snoop");
  EXPECT_NE(error_of({"-r", "x", "--snoop", "-c"}).find("cannot be combined"), std::string::npos);
}

}  // namespace
}  // namespace tcpflow::app
