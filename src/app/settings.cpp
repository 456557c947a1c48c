#include "app/settings.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "app/tunnel_settings.h"
#include "util/error.h"

namespace tcpflow::app {
namespace {

// A parsed value; only the member matching the setting's type is meaningful.
struct Value {
  bool flag = false;
  int64_t integer = 0;
  double real = 0;
  const std::string* text = nullptr;
};

using Store = void (*)(Config&, const Value&);

struct Entry {
  SettingSpec spec;
  Store store;
};

constexpr double kMaxCount = 1e18;  // comfortably inside int64 and exact enough as a bound
constexpr double kMaxFd = std::numeric_limits<int>::max();
constexpr double kMaxSeconds = 1e9;

// The registry. Adding a setting means one line here and one Config field
// (or a field of one of the option structs Config holds).
const std::vector<Entry>& entries() {
  static const std::vector<Entry> kEntries = {
      {{"enable_report", "YES", SettingType::kBool,
        "write the DFXML report (report.xml or the -X file)"},
       [](Config& c, const Value& v) { c.report_enabled = v.flag; }},
      {{"jsonl", "", SettingType::kString,
        "write a JSON Lines flow index to this path (empty: off)"},
       [](Config& c, const Value& v) { c.jsonl_path = *v.text; }},
      {{"tdelta", "0", SettingType::kDouble, "seconds added to every packet timestamp",
        -kMaxSeconds, kMaxSeconds},
       [](Config& c, const Value& v) { c.tdelta_sec = v.real; }},
      {{"packet-buffer-timeout", "10", SettingType::kInteger,
        "live capture: ms packets may wait in libpcap's buffer", 0,
        kMaxFd},
       [](Config& c, const Value& v) { c.packet_buffer_timeout_ms = static_cast<int>(v.integer); }},
      {{"tcp_timeout", "0", SettingType::kDouble,
        "close connections idle this many seconds (0: never)", 0, kMaxSeconds},
       [](Config& c, const Value& v) { c.table.idle_timeout_sec = v.real; }},
      {{"tcp_cmd", "", SettingType::kString,
        "command run with each closed flow file's path"},
       [](Config& c, const Value& v) { c.tcp_cmd = *v.text; }},
      {{"tcp_cmd_jobs", "4", SettingType::kInteger,
        "tcp_cmd: commands running at once, at most", 1, 1024},
       [](Config& c, const Value& v) { c.tcp_cmd_jobs = static_cast<int>(v.integer); }},
      {{"tcp_alert_fd", "-1", SettingType::kInteger,
        "fd told when each flow file opens and closes (-1: off)", -1,
        kMaxFd},
       [](Config& c, const Value& v) { c.tcp_alert_fd = static_cast<int>(v.integer); }},
      {{"http_cmd", "", SettingType::kString,
        "command run with the path of each extracted HTTP body"},
       [](Config& c, const Value& v) { c.scanner_options.http_cmd = *v.text; }},
      {{"http_alert_fd", "-1", SettingType::kInteger,
        "fd told about each extracted HTTP body (-1: off)", -1, kMaxFd},
       [](Config& c, const Value& v) { c.scanner_options.http_alert_fd = static_cast<int>(v.integer); }},
      {{"http_max_body", "67108864", SettingType::kInteger,
        "bytes written per decoded HTTP body; the rest is cut", 0, kMaxCount, true},
       [](Config& c, const Value& v) { c.scanner_options.http_max_body = static_cast<uint64_t>(v.integer); }},
      {{"max_flows", "1000000", SettingType::kInteger,
        "open connections; beyond it the most idle is closed", 1, kMaxCount, true},
       [](Config& c, const Value& v) { c.table.max_connections = static_cast<uint64_t>(v.integer); }},
      {{"max_held_bytes", "268435456", SettingType::kInteger,
        "out-of-order bytes held in memory, all flows together", 0,
        kMaxCount, true},
       [](Config& c, const Value& v) { c.max_held_bytes = static_cast<uint64_t>(v.integer); }},
      {{"max_fragment_bytes", "67108864", SettingType::kInteger,
        "bytes of incomplete IP datagrams held for reassembly", 0, kMaxCount, true},
       [](Config& c, const Value& v) { c.defrag.max_bytes = static_cast<uint64_t>(v.integer); }},
      {{"fragment_timeout", "60", SettingType::kDouble,
        "seconds an incomplete IP datagram waits for fragments", 0, kMaxSeconds},
       [](Config& c, const Value& v) { c.defrag.timeout_sec = static_cast<int64_t>(v.real); }},
      {{"decode_tunnels", "YES", SettingType::kBool,
        "decode IP-in-IP, GRE, VXLAN, Geneve, GTP-U, Teredo (NO: outer packets only)"},
       [](Config& c, const Value& v) { c.tunnels.enabled = v.flag; }},
      {{"vxlan_ports", "", SettingType::kString,
        "UDP ports carrying VXLAN besides 4789 and 8472 (comma-separated)"},
       [](Config& c, const Value& v) {
         add_tunnel_ports(c.tunnels, decode::TunnelKind::kVxlan, "vxlan_ports", *v.text);
       }},
      {{"geneve_ports", "", SettingType::kString,
        "UDP ports carrying Geneve besides 6081 (comma-separated)"},
       [](Config& c, const Value& v) {
         add_tunnel_ports(c.tunnels, decode::TunnelKind::kGeneve, "geneve_ports", *v.text);
       }},
      {{"gtpu_ports", "", SettingType::kString,
        "UDP ports carrying GTP-U besides 2152 (comma-separated)"},
       [](Config& c, const Value& v) {
         add_tunnel_ports(c.tunnels, decode::TunnelKind::kGtpu, "gtpu_ports", *v.text);
       }},
      {{"max_linger", "1000", SettingType::kInteger,
        "closed connections remembered to recognise late packets", 0,
        kMaxCount, true},
       [](Config& c, const Value& v) { c.table.max_linger = static_cast<uint64_t>(v.integer); }},
      {{"py_path", "", SettingType::kString,
        "python scanner: directory added to the module path"},
       [](Config& c, const Value& v) { c.scanner_options.py_path = *v.text; }},
      {{"py_module", "", SettingType::kString, "python scanner: module to import"},
       [](Config& c, const Value& v) { c.scanner_options.py_module = *v.text; }},
      {{"py_function", "", SettingType::kString,
        "python scanner: function called per closed flow file"},
       [](Config& c, const Value& v) { c.scanner_options.py_function = *v.text; }},
      {{"netviz_formats", "pdf,png", SettingType::kString,
        "netviz: pages written, any of pdf, png, svg"},
       [](Config& c, const Value& v) { c.scanner_options.netviz_formats = *v.text; }},
      {{"sha256_inputs", "NO", SettingType::kBool,
        "record the SHA-256 of every input file in the report"},
       [](Config& c, const Value& v) { c.sha256_inputs = v.flag; }},
      {{"compress_level", "0", SettingType::kInteger,
        "--compress: level (0: the codec's default; gzip/bzip2 1-9, zstd up to 22)", -131072,
        22},
       [](Config& c, const Value& v) { c.compression.level = static_cast<int>(v.integer); }},
      {{"force_color", "NO", SettingType::kBool,
        "with -g, colour the console even when it is not a terminal"},
       [](Config& c, const Value& v) { c.console_options.force_color = v.flag; }},
      {{"proxy_buffer", "262144", SettingType::kInteger,
        "--proxy: bytes held per connection and direction for a slow reader", 1, kMaxCount, true},
       [](Config& c, const Value& v) { c.proxy.buffer_bytes = static_cast<size_t>(v.integer); }},
      {{"proxy_grace", "10", SettingType::kDouble,
        "--proxy: seconds open connections may finish after SIGTERM/SIGINT", 0, kMaxSeconds},
       [](Config& c, const Value& v) { c.proxy.grace_sec = v.real; }},
      {{"proxy_idle_timeout", "0", SettingType::kDouble,
        "--proxy: close connections idle this many seconds (0: never)", 0, kMaxSeconds},
       [](Config& c, const Value& v) { c.proxy.idle_timeout_sec = v.real; }},
      {{"proxy_times", "YES", SettingType::kBool,
        "--proxy: list byte offset -> time of each read in the report"},
       [](Config& c, const Value& v) { c.proxy.record_times = v.flag; }},
      {{"printable_only", "NO", SettingType::kBool,
        "--proxy: record only printable bytes (one space for a run of others)"},
       [](Config& c, const Value& v) { c.proxy.printable_only = v.flag; }},
  };
  return kEntries;
}

const Entry* find_entry(std::string_view name) {
  for (const Entry& e : entries()) {
    if (name == e.spec.name) return &e;
  }
  return nullptr;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

[[noreturn]] void bad_value(const SettingSpec& spec, const std::string& value, const char* want) {
  throw UsageError("-S " + std::string(spec.name) + "=" + value + ": expected " + want);
}

std::string range_text(const SettingSpec& spec) {
  auto number = [](double d) {
    if (d == std::floor(d) && std::fabs(d) < 9e18) return std::to_string(static_cast<int64_t>(d));
    return std::to_string(d);
  };
  return "from " + number(spec.min_value) + " to " + number(spec.max_value);
}

Value parse_value(const SettingSpec& spec, const std::string& value) {
  Value v;
  v.text = &value;
  switch (spec.type) {
    case SettingType::kBool: {
      std::optional<bool> b = parse_bool_text(value);
      if (!b) bad_value(spec, value, "YES or NO");
      v.flag = *b;
      break;
    }
    case SettingType::kInteger: {
      bool negative = !value.empty() && value[0] == '-';
      std::optional<uint64_t> u =
          parse_unsigned_text(std::string_view(value).substr(negative ? 1 : 0), spec.size_suffix);
      std::string want = (spec.size_suffix ? "an integer (K/M/G allowed) " : "an integer ") +
                         range_text(spec);
      if (!u || *u > static_cast<uint64_t>(kMaxCount)) bad_value(spec, value, want.c_str());
      v.integer = negative ? -static_cast<int64_t>(*u) : static_cast<int64_t>(*u);
      double d = static_cast<double>(v.integer);
      if (d < spec.min_value || d > spec.max_value) bad_value(spec, value, want.c_str());
      break;
    }
    case SettingType::kDouble: {
      const char* begin = value.c_str();
      char* end = nullptr;
      errno = 0;
      double d = value.empty() || std::isspace(static_cast<unsigned char>(value[0]))
                     ? NAN
                     : std::strtod(begin, &end);
      bool ok = end != nullptr && *end == '\0' && errno == 0 && std::isfinite(d) &&
                d >= spec.min_value && d <= spec.max_value;
      if (!ok) bad_value(spec, value, ("a number " + range_text(spec)).c_str());
      v.real = d;
      break;
    }
    case SettingType::kString:
      break;
  }
  return v;
}

}  // namespace

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> kSpecs = [] {
    std::vector<SettingSpec> specs;
    for (const Entry& e : entries()) specs.push_back(e.spec);
    return specs;
  }();
  return kSpecs;
}

const SettingSpec* find_setting(std::string_view name) {
  const Entry* e = find_entry(name);
  return e ? &e->spec : nullptr;
}

std::optional<bool> parse_bool_text(std::string_view text) {
  std::string t = lower(text);
  if (t == "yes" || t == "true" || t == "1") return true;
  if (t == "no" || t == "false" || t == "0") return false;
  return std::nullopt;
}

std::optional<uint64_t> parse_unsigned_text(std::string_view text, bool allow_suffix) {
  uint64_t multiplier = 1;
  if (allow_suffix && !text.empty()) {
    switch (std::toupper(static_cast<unsigned char>(text.back()))) {
      case 'K': multiplier = 1ull << 10; break;
      case 'M': multiplier = 1ull << 20; break;
      case 'G': multiplier = 1ull << 30; break;
      default: break;
    }
    if (multiplier != 1) text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  uint64_t n = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(ch - '0');
    if (n > (UINT64_MAX - digit) / 10) return std::nullopt;
    n = n * 10 + digit;
  }
  if (n > UINT64_MAX / multiplier) return std::nullopt;
  return n * multiplier;
}

std::pair<std::string, std::string> split_setting(const std::string& pair) {
  size_t eq = pair.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UsageError("-S expects name=value, got '" + pair + "'");
  }
  return {pair.substr(0, eq), pair.substr(eq + 1)};
}

void apply_setting(const std::string& name, const std::string& value, Config& config) {
  const Entry* e = find_entry(name);
  if (e == nullptr) {
    throw UsageError("unknown setting '" + name + "' in -S (tcpflow -hh lists them)");
  }
  Value v = parse_value(e->spec, value);
  e->store(config, v);
  config.settings[name] = value;
}

std::string settings_help() {
  std::string out;
  for (const SettingSpec& s : setting_specs()) {
    std::string left = "  -S " + std::string(s.name) + "=" + s.default_value;
    out += left;
    out.append(left.size() < 34 ? 34 - left.size() : 1, ' ');
    out += s.description;
    out += '\n';
  }
  return out;
}

}  // namespace tcpflow::app
