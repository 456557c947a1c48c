#include "app/settings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace tcpflow::app {
namespace {

std::string usage_error(const std::string& name, const std::string& value) {
  Config c;
  try {
    apply_setting(name, value, c);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Settings, RegistryListsEverySettingWithItsDefault) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"enable_report", "YES"},     {"jsonl", ""},
      {"tdelta", "0"},              {"packet-buffer-timeout", "10"},
      {"tcp_timeout", "0"},         {"tcp_cmd", ""},
      {"tcp_cmd_jobs", "4"},
      {"tcp_alert_fd", "-1"},       {"http_cmd", ""},
      {"http_alert_fd", "-1"},      {"http_max_body", "67108864"},
      {"max_flows", "1000000"},     {"max_held_bytes", "268435456"},
      {"max_fragment_bytes", "67108864"}, {"fragment_timeout", "60"},
      {"decode_tunnels", "YES"},    {"vxlan_ports", ""},
      {"geneve_ports", ""},         {"gtpu_ports", ""},
      {"max_linger", "1000"},      {"py_path", ""},
      {"py_module", ""},            {"py_function", ""},
      {"netviz_formats", "pdf,png"},
      {"sha256_inputs", "NO"},      {"compress_level", "0"},
      {"force_color", "NO"},
      {"proxy_buffer", "262144"},   {"proxy_grace", "10"},
      {"proxy_idle_timeout", "0"},  {"proxy_times", "YES"},
      {"printable_only", "NO"},
  };
  ASSERT_EQ(setting_specs().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(setting_specs()[i].name, expected[i].first);
    EXPECT_EQ(setting_specs()[i].default_value, expected[i].second);
    EXPECT_NE(std::string(setting_specs()[i].description), "");
  }
}

TEST(Settings, TypesAreDeclared) {
  EXPECT_EQ(find_setting("enable_report")->type, SettingType::kBool);
  EXPECT_EQ(find_setting("sha256_inputs")->type, SettingType::kBool);
  EXPECT_EQ(find_setting("max_flows")->type, SettingType::kInteger);
  EXPECT_EQ(find_setting("tdelta")->type, SettingType::kDouble);
  EXPECT_EQ(find_setting("jsonl")->type, SettingType::kString);
  EXPECT_EQ(find_setting("no_such_thing"), nullptr);
  EXPECT_EQ(find_setting("Enable_Report"), nullptr);  // names are case-sensitive
}

TEST(Settings, DefaultsAgreeWithConfigDefaults) {
  Config applied;
  for (const SettingSpec& s : setting_specs()) apply_setting(s.name, s.default_value, applied);
  const Config fresh;
  EXPECT_EQ(applied.report_enabled, fresh.report_enabled);
  EXPECT_EQ(applied.jsonl_path, fresh.jsonl_path);
  EXPECT_EQ(applied.tdelta_sec, fresh.tdelta_sec);
  EXPECT_EQ(applied.packet_buffer_timeout_ms, fresh.packet_buffer_timeout_ms);
  EXPECT_EQ(applied.table.idle_timeout_sec, fresh.table.idle_timeout_sec);
  EXPECT_EQ(applied.tcp_cmd, fresh.tcp_cmd);
  EXPECT_EQ(applied.tcp_cmd_jobs, fresh.tcp_cmd_jobs);
  EXPECT_EQ(applied.tcp_alert_fd, fresh.tcp_alert_fd);
  EXPECT_EQ(applied.scanner_options.http_cmd, fresh.scanner_options.http_cmd);
  EXPECT_EQ(applied.scanner_options.http_alert_fd, fresh.scanner_options.http_alert_fd);
  EXPECT_EQ(applied.scanner_options.http_max_body, fresh.scanner_options.http_max_body);
  EXPECT_EQ(applied.table.max_connections, fresh.table.max_connections);
  EXPECT_EQ(applied.max_held_bytes, fresh.max_held_bytes);
  EXPECT_EQ(applied.defrag.max_bytes, fresh.defrag.max_bytes);
  EXPECT_EQ(applied.defrag.timeout_sec, fresh.defrag.timeout_sec);
  EXPECT_EQ(applied.table.max_linger, fresh.table.max_linger);
  EXPECT_EQ(applied.scanner_options.py_path, fresh.scanner_options.py_path);
  EXPECT_EQ(applied.scanner_options.py_module, fresh.scanner_options.py_module);
  EXPECT_EQ(applied.scanner_options.py_function, fresh.scanner_options.py_function);
  EXPECT_EQ(applied.sha256_inputs, fresh.sha256_inputs);
}

TEST(Settings, BoolForms) {
  for (const char* yes : {"YES", "yes", "Yes", "true", "TRUE", "1"}) {
    EXPECT_EQ(parse_bool_text(yes), std::optional<bool>(true)) << yes;
  }
  for (const char* no : {"NO", "no", "nO", "false", "False", "0"}) {
    EXPECT_EQ(parse_bool_text(no), std::optional<bool>(false)) << no;
  }
  for (const char* bad : {"", "y", "n", "2", "yes ", "off", "enabled"}) {
    EXPECT_EQ(parse_bool_text(bad), std::nullopt) << bad;
  }
}

TEST(Settings, UnsignedText) {
  EXPECT_EQ(parse_unsigned_text("0", false), 0u);
  EXPECT_EQ(parse_unsigned_text("100", false), 100u);
  EXPECT_EQ(parse_unsigned_text("18446744073709551615", false), UINT64_MAX);
  EXPECT_EQ(parse_unsigned_text("18446744073709551616", false), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("64K", true), 65536u);
  EXPECT_EQ(parse_unsigned_text("64k", true), 65536u);
  EXPECT_EQ(parse_unsigned_text("16M", true), 16u << 20);
  EXPECT_EQ(parse_unsigned_text("2G", true), 2ull << 30);
  EXPECT_EQ(parse_unsigned_text("64K", false), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("16777216T", true), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("K", true), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("", false), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("-1", false), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("+1", false), std::nullopt);
  EXPECT_EQ(parse_unsigned_text(" 1", false), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("1.5", false), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("0x10", false), std::nullopt);
  EXPECT_EQ(parse_unsigned_text("17179869184G", true), std::nullopt);  // overflows
}

TEST(Settings, SplitPair) {
  EXPECT_EQ(split_setting("a=b"), std::make_pair(std::string("a"), std::string("b")));
  EXPECT_EQ(split_setting("a="), std::make_pair(std::string("a"), std::string("")));
  EXPECT_EQ(split_setting("tcp_cmd=x=y"), std::make_pair(std::string("tcp_cmd"), std::string("x=y")));
  EXPECT_THROW(split_setting("=x"), UsageError);
  EXPECT_THROW(split_setting("enable_report"), UsageError);
  EXPECT_THROW(split_setting(""), UsageError);
}

TEST(Settings, TypedValuesReachConfig) {
  Config c;
  apply_setting("enable_report", "no", c);
  apply_setting("jsonl", "/tmp/index.jsonl", c);
  apply_setting("tdelta", "-1.5", c);
  apply_setting("packet-buffer-timeout", "25", c);
  apply_setting("tcp_timeout", "2.5", c);
  apply_setting("tcp_cmd", "echo closed", c);
  apply_setting("tcp_alert_fd", "3", c);
  apply_setting("http_cmd", "file", c);
  apply_setting("http_alert_fd", "4", c);
  apply_setting("http_max_body", "1M", c);
  apply_setting("max_flows", "500", c);
  apply_setting("max_held_bytes", "1G", c);
  apply_setting("max_fragment_bytes", "4096", c);
  apply_setting("fragment_timeout", "30", c);
  apply_setting("max_linger", "0", c);
  apply_setting("py_path", "python/plugins", c);
  apply_setting("py_module", "sample", c);
  apply_setting("py_function", "scan", c);
  apply_setting("sha256_inputs", "TRUE", c);
  EXPECT_FALSE(c.report_enabled);
  EXPECT_EQ(c.jsonl_path, "/tmp/index.jsonl");
  EXPECT_DOUBLE_EQ(c.tdelta_sec, -1.5);
  EXPECT_EQ(c.packet_buffer_timeout_ms, 25);
  EXPECT_DOUBLE_EQ(c.table.idle_timeout_sec, 2.5);
  EXPECT_EQ(c.tcp_cmd, "echo closed");
  EXPECT_EQ(c.tcp_alert_fd, 3);
  EXPECT_EQ(c.scanner_options.http_cmd, "file");
  EXPECT_EQ(c.scanner_options.http_alert_fd, 4);
  EXPECT_EQ(c.scanner_options.http_max_body, 1u << 20);
  EXPECT_EQ(c.table.max_connections, 500u);
  EXPECT_EQ(c.max_held_bytes, 1ull << 30);
  EXPECT_EQ(c.defrag.max_bytes, 4096u);
  EXPECT_EQ(c.defrag.timeout_sec, 30);
  EXPECT_EQ(c.table.max_linger, 0u);
  EXPECT_EQ(c.scanner_options.py_path, "python/plugins");
  EXPECT_EQ(c.scanner_options.py_module, "sample");
  EXPECT_EQ(c.scanner_options.py_function, "scan");
  EXPECT_TRUE(c.sha256_inputs);
  // The raw text is kept for the report.
  EXPECT_EQ(c.settings.at("enable_report"), "no");
  EXPECT_EQ(c.settings.at("http_max_body"), "1M");
  EXPECT_EQ(c.settings.size(), 19u);
}

TEST(Settings, LaterValueWins) {
  Config c;
  apply_setting("tcp_timeout", "5", c);
  apply_setting("tcp_timeout", "7", c);
  EXPECT_DOUBLE_EQ(c.table.idle_timeout_sec, 7);
  EXPECT_EQ(c.settings.at("tcp_timeout"), "7");
}

TEST(Settings, UnknownNameIsNamedInTheError) {
  EXPECT_EQ(usage_error("no_such_setting", "1"),
            "unknown setting 'no_such_setting' in -S (tcpflow -hh lists them)");
  // tcpflow 1.6.1 settings for scanners we do not have are not silently accepted.
  EXPECT_EQ(usage_error("netviz_histogram_size", "10"),
            "unknown setting 'netviz_histogram_size' in -S (tcpflow -hh lists them)");
}

TEST(Settings, BadValuesAreRejected) {
  EXPECT_EQ(usage_error("enable_report", "maybe"), "-S enable_report=maybe: expected YES or NO");
  EXPECT_EQ(usage_error("enable_report", ""), "-S enable_report=: expected YES or NO");
  EXPECT_EQ(usage_error("tcp_timeout", "abc"),
            "-S tcp_timeout=abc: expected a number from 0 to 1000000000");
  EXPECT_EQ(usage_error("tcp_timeout", "-1"),
            "-S tcp_timeout=-1: expected a number from 0 to 1000000000");
  EXPECT_EQ(usage_error("max_flows", "0"),
            "-S max_flows=0: expected an integer (K/M/G allowed) from 1 to 1000000000000000000");
  EXPECT_EQ(usage_error("tcp_alert_fd", "-2"),
            "-S tcp_alert_fd=-2: expected an integer from -1 to 2147483647");
  EXPECT_EQ(usage_error("packet-buffer-timeout", "10ms"),
            "-S packet-buffer-timeout=10ms: expected an integer from 0 to 2147483647");
  for (const char* bad : {"", " 1", "1 ", "nan", "inf", "1e400", "2x"}) {
    EXPECT_NE(usage_error("tdelta", bad), "(no error)") << bad;
  }
  for (const char* bad : {"", "1.5", "12x", "-5", "1e3", "99999999999999999999"}) {
    EXPECT_NE(usage_error("max_linger", bad), "(no error)") << bad;
  }
  EXPECT_NE(usage_error("packet-buffer-timeout", "1K"), "(no error)");  // no suffix here
}

TEST(Settings, ErrorsLeaveNoRawEntry) {
  Config c;
  EXPECT_THROW(apply_setting("max_flows", "x", c), UsageError);
  EXPECT_EQ(c.settings.count("max_flows"), 0u);
  EXPECT_EQ(c.table.max_connections, 1000000u);
}

TEST(Settings, HelpListsEverySetting) {
  std::string help = settings_help();
  for (const SettingSpec& s : setting_specs()) {
    std::string entry = "-S " + std::string(s.name) + "=" + s.default_value + " ";
    EXPECT_NE(help.find(entry), std::string::npos) << entry;
  }
}

}  // namespace
}  // namespace tcpflow::app
