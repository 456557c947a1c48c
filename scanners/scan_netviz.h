// netviz: a one-page picture of the run (report.pdf / report.png). It reads
// no flow files: the pipeline feeds netviz::TrafficStats and draws the page
// at the end; the scanner entry makes -e netviz, -x netviz and -a select it.
#pragma once
#include <memory>

#include "scanners/scanner.h"

namespace tcpflow::scanners {

std::unique_ptr<Scanner> make_netviz_scanner(const ScannerOptions& options);

}  // namespace tcpflow::scanners
