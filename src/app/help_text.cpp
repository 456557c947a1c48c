// -h, -hh and --version: the option table's sections, then (-hh) the
// settings, -F letters and name codes.
#include <string>
#include <utility>

#include "app/option_table.h"
#include "app/options.h"
#include "app/settings.h"
#include "report/connection_log_format.h"

#ifdef HAVE_CONFIG_H
#include "tcpflow_config.h"  // the autoconf header in the build tree, for PACKAGE_VERSION
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "2.0.0"
#endif

namespace tcpflow::app {

std::string version_text() { return std::string("tcpflow ") + PACKAGE_VERSION; }

std::string help_text(bool more) {
  constexpr size_t kHelpColumn = 24;
  static constexpr std::pair<Section, const char*> kSections[] = {
      {Section::kInput, "Input"},          {Section::kOutput, "Output"},
      {Section::kScanners, "Scanners"},    {Section::kConsole, "Console (instead of files)"},
      {Section::kWho, "Who made each connection"}, {Section::kProcess, "Process"},
  };
  std::string out = version_text() +
                    " - records TCP connections, one file per direction\n\n"
                    "Usage: tcpflow [OPTION]... [BPF EXPRESSION]\n"
                    "       tcpflow [OPTION]... -l FILE...\n";
  for (const auto& [section, title] : kSections) {
    out += std::string("\n") + title + ":\n";
    for (const OptionDef& def : kOptions) {
      if (def.section != section) continue;
      std::string left = "  ";
      if (def.letter != 0) left += std::string("-") + def.letter;
      if (def.letter != 0 && def.long_name != nullptr) left += ", ";
      if (def.long_name != nullptr) left += std::string("--") + def.long_name;
      if (def.arg != nullptr) left += std::string(" ") + def.arg;
      out += left;
      if (left.size() + 1 < kHelpColumn) {
        out.append(kHelpColumn - left.size(), ' ');
      } else {
        out += '\n';
        out.append(kHelpColumn, ' ');
      }
      out += def.help;
      out += '\n';
    }
  }
  if (!more) {
    out += "\nMore: tcpflow -hh (settings, -F letters, name codes); man tcpflow.\n";
    return out;
  }
  out += "\nSettings (-S NAME=VALUE; booleans take YES/NO, true/false or 1/0):\n";
  out += settings_help();
  out +=
      "\n-F letters (combine freely; k, m, g, t and T prefix the name in the order given):\n"
      "  -Fc  every name carries the connection count, the first one too (c0)\n"
      "  -Ft  prefix names with the first packet's Unix time and 'T' (%tT)\n"
      "  -FT  prefix names with the first packet's ISO 8601 UTC time (%T)\n"
      "  -FX  write no flow files (reports and console output only)\n"
      "  -FM  record an MD5 of every flow in the report\n"
      "  -Fk  one directory level per 1000 flows (%K/)\n"
      "  -Fm  two directory levels, per million flows (%M000-%M999/%M%K/)\n"
      "  -Fg  three directory levels, per billion flows\n"
      "\nName template codes (-T):\n"
      "  %A %B  source / destination address (IPv4 as 010.000.000.001)\n"
      "  %a %b  source / destination port, 5 digits\n"
      "  %E %e  source / destination MAC address (empty without one)\n"
      "  %V     '--' when VLAN tagged, else empty\n"
      "  %v     VLAN id when tagged, else empty\n"
      "  %T     first packet time, ISO 8601 UTC (2001-09-09T01:46:40Z)\n"
      "  %t     first packet time, Unix seconds\n"
      "  %c     connection count when above 0 (always with -Fc)\n"
      "  %C     'c' when the count is above 0 (always with -Fc)\n"
      "  %#     connection count, always\n"
      "  %N     flow number modulo 1000, 3 digits\n"
      "  %K     flow number / 1000 modulo 1000, 3 digits\n"
      "  %M     flow number / 1000000 modulo 1000, 3 digits\n"
      "  %G     flow number / 1000000000 modulo 1000, 3 digits\n"
      "  %S     connection id, 20 digits, the same in both directions\n"
      "  %W     innermost tunnel (vxlan100_192.0.2.1-192.0.2.2), empty outside one\n"
      "  %U %P  user and command of the process that made the connection\n"
      "         (--processes; 'unknown' when not known)\n"
      "  %%     a literal %\n"
      "A template without %c or %# gets %C%c appended; '/' makes directories.\n";
  out += "\nConnection log codes (--connlog-format):\n  ";
  out += report::ConnectionLogFormat::codes_help();
  out += "\n";
  return out;
}

}  // namespace tcpflow::app
