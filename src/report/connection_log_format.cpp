#include "report/connection_log_format.h"

#include <cstdio>
#include <cstring>

#include "report/flow_format.h"
#include "report/text_escape.h"
#include "util/error.h"

namespace tcpflow::report {

namespace {

constexpr char kKnownCodes[] = "seSEdLlRrDuUpPcxaoiOIChn%";

std::string text_or_dash(const std::string& value) {
  return value.empty() ? "-" : escape_bytes(value);
}

void json_field(std::string& out, const char* key, const std::string& value, bool null_if_empty) {
  if (out.size() > 1) out += ',';
  append_json_string(out, key);
  out += ':';
  if (null_if_empty && value.empty()) {
    out += "null";
  } else {
    append_json_string(out, escape_bytes(value));
  }
}

void json_number(std::string& out, const char* key, uint64_t value) {
  if (out.size() > 1) out += ',';
  append_json_string(out, key);
  out += ':';
  out += std::to_string(value);
}

void json_raw(std::string& out, const char* key, const std::string& raw) {
  if (out.size() > 1) out += ',';
  append_json_string(out, key);
  out += ':';
  out += raw;
}

}  // namespace

std::string duration_seconds(const Timestamp& from, const Timestamp& to) {
  int64_t ns = (to.sec - from.sec) * 1000000000 + (static_cast<int64_t>(to.nsec) - from.nsec);
  if (ns < 0) ns = 0;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%06lld", static_cast<long long>(ns / 1000000000),
                static_cast<long long>((ns % 1000000000) / 1000));
  return buffer;
}

ConnectionLogFormat ConnectionLogFormat::parse(const std::string& spec) {
  ConnectionLogFormat format;
  if (spec == "text") return format;
  if (spec == "json") {
    format.style_ = Style::kJson;
    return format;
  }
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') continue;
    if (i + 1 == spec.size()) {
      throw UsageError("--connlog-format: a lone '%' at the end (write %% for a percent sign)");
    }
    char code = spec[i + 1];
    if (std::strchr(kKnownCodes, code) == nullptr || code == '\0') {
      throw UsageError("--connlog-format: unknown code '%" + std::string(1, code) +
                       "' at position " + std::to_string(i + 1) +
                       " (known: text, json, or %-codes; see tcpflow -hh)");
    }
    ++i;
  }
  format.style_ = Style::kCustom;
  format.custom_ = spec;
  return format;
}

const char* ConnectionLogFormat::codes_help() {
  return "%s start, %e end (RFC 3339 UTC), %S %E start/end as epoch seconds, %d duration "
         "(seconds), %L local address, %l local port, %R remote address, %r remote port, "
         "%D direction (in/out), %u user, %U uid, %p pid, %P ppid, %c command, %x executable, "
         "%a command line, %o bytes sent, %i bytes received, %O packets sent, %I packets "
         "received, %C close reason, %h host name, %n newline, %% percent sign";
}

std::string ConnectionLogFormat::render(const ConnectionEnd& end) const {
  switch (style_) {
    case Style::kText:
      return render_text(end);
    case Style::kJson:
      return render_json(end);
    case Style::kCustom:
      return render_custom(end);
  }
  return {};
}

std::string ConnectionLogFormat::render_text(const ConnectionEnd& e) const {
  // Like tcpspy's syslog line, then what tcpspy cannot know: times and counts.
  std::string line = e.outbound ? "connect: " : "accept: ";
  if (e.process) {
    line += "user " + text_or_dash(e.process->user) + ", pid " + std::to_string(e.process->pid) +
            ", cmd " + text_or_dash(e.process->cmd) + ", ";
  }
  line += "local " + ip_to_string(e.local) + ":" + std::to_string(e.local_port) + ", remote " +
          ip_to_string(e.remote) + ":" + std::to_string(e.remote_port);
  if (e.process) line += ", exe " + text_or_dash(e.process->exe);
  line += ", start " + iso8601_utc(e.start) + ", duration " + duration_seconds(e.start, e.end) +
          " s, sent " + std::to_string(e.bytes_out) + " bytes in " +
          std::to_string(e.packets_out) + " packets, received " + std::to_string(e.bytes_in) +
          " bytes in " + std::to_string(e.packets_in) + " packets, close " +
          text_or_dash(e.close_reason) + "\n";
  return line;
}

std::string ConnectionLogFormat::render_json(const ConnectionEnd& e) const {
  // tapconn's keys first (dst is the end that accepted), then ours.
  const decode::IpAddress& dst = e.outbound ? e.remote : e.local;
  uint16_t dst_port = e.outbound ? e.remote_port : e.local_port;
  std::string out = "{";
  json_field(out, "hostname", e.hostname, true);
  json_field(out, "cmd", e.process ? e.process->cmd : "", true);
  json_field(out, "dst_ip", ip_to_string(dst), false);
  json_number(out, "dst_port", dst_port);
  json_raw(out, "pid", e.process ? std::to_string(e.process->pid) : "null");
  json_raw(out, "ppid", e.process ? std::to_string(e.process->ppid) : "null");
  json_raw(out, "uid", e.process ? std::to_string(e.process->uid) : "null");
  json_field(out, "username", e.process ? e.process->user : "", true);
  json_field(out, "exe", e.process ? e.process->exe : "", true);
  json_field(out, "cmdline", e.process ? e.process->cmdline : "", true);
  json_field(out, "direction", e.outbound ? "out" : "in", false);
  json_field(out, "local_ip", ip_to_string(e.local), false);
  json_number(out, "local_port", e.local_port);
  json_field(out, "remote_ip", ip_to_string(e.remote), false);
  json_number(out, "remote_port", e.remote_port);
  json_field(out, "start", iso8601_utc(e.start), false);
  json_field(out, "end", iso8601_utc(e.end), false);
  json_raw(out, "duration", duration_seconds(e.start, e.end));
  json_number(out, "bytes_out", e.bytes_out);
  json_number(out, "bytes_in", e.bytes_in);
  json_number(out, "packets_out", e.packets_out);
  json_number(out, "packets_in", e.packets_in);
  json_field(out, "close", e.close_reason, true);
  out += "}\n";
  return out;
}

std::string ConnectionLogFormat::render_custom(const ConnectionEnd& e) const {
  std::string out;
  const flow::ProcessInfo* p = e.process ? &*e.process : nullptr;
  for (size_t i = 0; i < custom_.size(); ++i) {
    if (custom_[i] != '%') {
      out += custom_[i];
      continue;
    }
    switch (custom_[++i]) {
      case 's': out += iso8601_utc(e.start); break;
      case 'e': out += iso8601_utc(e.end); break;
      case 'S': out += epoch_decimal(e.start); break;
      case 'E': out += epoch_decimal(e.end); break;
      case 'd': out += duration_seconds(e.start, e.end); break;
      case 'L': out += ip_to_string(e.local); break;
      case 'l': out += std::to_string(e.local_port); break;
      case 'R': out += ip_to_string(e.remote); break;
      case 'r': out += std::to_string(e.remote_port); break;
      case 'D': out += e.outbound ? "out" : "in"; break;
      case 'u': out += p ? text_or_dash(p->user) : "-"; break;
      case 'U': out += p ? std::to_string(p->uid) : "-"; break;
      case 'p': out += p ? std::to_string(p->pid) : "-"; break;
      case 'P': out += p ? std::to_string(p->ppid) : "-"; break;
      case 'c': out += p ? text_or_dash(p->cmd) : "-"; break;
      case 'x': out += p ? text_or_dash(p->exe) : "-"; break;
      case 'a': out += p ? text_or_dash(p->cmdline) : "-"; break;
      case 'o': out += std::to_string(e.bytes_out); break;
      case 'i': out += std::to_string(e.bytes_in); break;
      case 'O': out += std::to_string(e.packets_out); break;
      case 'I': out += std::to_string(e.packets_in); break;
      case 'C': out += text_or_dash(e.close_reason); break;
      case 'h': out += text_or_dash(e.hostname); break;
      case 'n': out += '\n'; break;
      case '%': out += '%'; break;
      default: break;  // parse() admits only known codes
    }
  }
  return out;
}

}  // namespace tcpflow::report
