// What a run records about who made each connection (issue 14): the
// connection log, the rules that select connections, process attribution
// and the per-packet trace. Built and validated by app/attrib_options.
#pragma once
#include <string>

#include "attrib/rules.h"
#include "report/connection_log_format.h"

namespace tcpflow::app {

struct AttribConfig {
  std::string connlog;  // --connlog DEST: a file, "-", "syslog" or "syslog:FACILITY"; empty: off
  report::ConnectionLogFormat connlog_format;  // --connlog-format (text by default)
  attrib::RuleSet rules;                       // --rule, --rules-file (inactive: keep all)
  bool processes = false;                      // --processes (live capture only)
  bool snoop = false;                          // --snoop
  bool snoop_time = false;                     // --snoop-time
};

}  // namespace tcpflow::app
