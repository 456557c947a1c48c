// The command-line options of issue 14 (--connlog, --connlog-format, --rule,
// --rules-file, --processes, --snoop, --snoop-time), kept out of
// options.cpp's general parsing.
#pragma once
#include <string>
#include <vector>

#include "app/config.h"

namespace tcpflow::app {

struct AttribFlags {
  std::string connlog;
  std::string connlog_format;
  bool connlog_format_given = false;
  std::vector<std::string> rules;       // in the order given
  std::vector<std::string> rule_files;  // in the order given
  bool processes = false;
  bool snoop = false;
  bool snoop_time = false;
};

// Takes the option named `key` (a long name) when it is one of ours.
bool take_attrib_option(const std::string& key, const std::string& value, AttribFlags& flags);

// Validates the flags against the rest of the command line (after the
// live-capture default is applied) and fills config.attrib. Throws
// UsageError: a bad rule names the rule and the column.
void apply_attrib_flags(const AttribFlags& flags, Config& config);

}  // namespace tcpflow::app
