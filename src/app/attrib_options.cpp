#include "app/attrib_options.h"

#include "app/connection_log.h"
#include "util/error.h"

namespace tcpflow::app {

bool take_attrib_option(const std::string& key, const std::string& value, AttribFlags& flags) {
  if (key == "connlog") {
    if (value.empty()) throw UsageError("--connlog expects a file, '-', 'syslog' or 'syslog:FACILITY'");
    flags.connlog = value;
  } else if (key == "connlog-format") {
    flags.connlog_format = value;
    flags.connlog_format_given = true;
  } else if (key == "rule") {
    flags.rules.push_back(value);
  } else if (key == "rules-file") {
    flags.rule_files.push_back(value);
  } else if (key == "processes") {
    flags.processes = true;
  } else if (key == "snoop") {
    flags.snoop = true;
  } else if (key == "snoop-time") {
    flags.snoop_time = true;
  } else {
    return false;
  }
  return true;
}

void apply_attrib_flags(const AttribFlags& flags, Config& config) {
  AttribConfig& a = config.attrib;
  if (flags.processes && !config.live && !config.proxy.active()) {
    throw UsageError(
        "--processes needs a live capture (-i) or --proxy: it asks this host's kernel which "
        "process owns each socket, and the sockets of a capture file's connections are long "
        "gone");
  }
  if (flags.connlog_format_given && flags.connlog.empty()) {
    throw UsageError("--connlog-format needs --connlog DEST");
  }
  if (flags.snoop_time && !flags.snoop) throw UsageError("--snoop-time needs --snoop");
  if (flags.snoop && config.console != ConsoleMode::kNone && !config.console_options.json) {
    throw UsageError("--snoop prints its own lines: it cannot be combined with -c or -C");
  }
  // -J with --snoop asks for JSON snoop lines, not the JSON console.
  if (flags.snoop && config.console_options.json) config.console = ConsoleMode::kNone;
  const std::string kSyslogPrefix = "syslog:";
  if (flags.connlog.rfind(kSyslogPrefix, 0) == 0 &&
      syslog_facility(flags.connlog.substr(kSyslogPrefix.size())) < 0) {
    throw UsageError("--connlog " + flags.connlog +
                     ": unknown syslog facility (use auth, authpriv, cron, daemon, ftp, kern, "
                     "lpr, mail, news, syslog, user, uucp or local0 to local7)");
  }
  a.connlog = flags.connlog;
  if (flags.connlog_format_given) {
    a.connlog_format = report::ConnectionLogFormat::parse(flags.connlog_format);
  }
  const attrib::NameLookup lookup = attrib::NameLookup::system();
  for (const std::string& text : flags.rules) a.rules.add(attrib::Rule::parse(text, lookup));
  for (const std::string& path : flags.rule_files) {
    try {
      a.rules.add_file(path, lookup);
    } catch (const UsageError&) {
      throw;
    } catch (const Error& e) {
      throw UsageError(std::string("--rules-file: ") + e.what());
    }
  }
  a.processes = flags.processes;
  a.snoop = flags.snoop;
  if (flags.snoop) config.store_flows = false;  // lines on stdout instead of flow files
  a.snoop_time = flags.snoop_time;
}

}  // namespace tcpflow::app
