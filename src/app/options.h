// Command-line parsing: argv in, an immutable validated Config out.
//
// Syntax follows tcpflow 1.6.1 (short options with sticky values, grouped
// switches, a trailing BPF expression) plus a few long forms. Every mistake is
// reported as one UsageError line; main adds the hint to -h and exits 2.
#pragma once
#include <string>

#include "app/config.h"

namespace tcpflow::app {

enum class Action { kRun, kHelp, kMoreHelp, kScannerHelp, kVersion, kNetvizFrom };

struct ParsedCommandLine {
  Action action = Action::kRun;
  Config config;  // validated for kRun; defaults otherwise
};

// Throws UsageError with one clear line on any syntax or validation error.
ParsedCommandLine parse_options(int argc, const char* const* argv);

// -h text; more=true (-hh) adds the -S settings, -F letters and template codes.
std::string help_text(bool more);

// "tcpflow 2.0.0".
std::string version_text();

// argv joined by spaces, each word quoted for a POSIX shell when it needs it,
// so the report's command line can be pasted back into a shell.
std::string shell_join(int argc, const char* const* argv);

}  // namespace tcpflow::app
