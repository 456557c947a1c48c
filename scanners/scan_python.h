// The python scanner (-e python): calls a function of a user's Python module
// on every closed flow file and puts what it returns into the report. Built
// with embedded CPython when configure finds python3-embed (Debian:
// python3-dev); otherwise a stand-in that explains how to get it.
#pragma once
#include <memory>

#include "scanners/scanner.h"

namespace tcpflow::scanners {

std::unique_ptr<Scanner> make_python_scanner(const ScannerOptions& options);

}  // namespace tcpflow::scanners
