// The explicit list of scanners (no static-initialisation registration) and
// the set enabled for a run by -e, -x, -E, -a and -FM.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/scanner.h"

namespace tcpflow::scanners {

// Something the user should read about the selection (the caller prints it).
struct ScannerNotice {
  std::string text;
  bool always = false;  // printed even with -q: a scanner asked for (-e/-E) will not run
};

class ScannerSet {
 public:
  // Throws tcpflow::UsageError naming an unknown scanner. tcpflow 1.6.1's
  // names (tcpdemux, and scanners we lack) are accepted with a notice.
  static ScannerSet select(const ScannerSelection& selection,
                           const ScannerOptions& options = {});

  // True when no enabled scanner reads flow files.
  bool empty() const { return scanners_.empty(); }
  // Every enabled scanner, flow readers first.
  std::vector<std::string> names() const;
  bool enabled(std::string_view name) const;
  const std::vector<ScannerNotice>& notices() const { return notices_; }

  // Runs every enabled scanner over the flow file `target.path`, in 64 KiB
  // reads. Returns false (and says why in `error`) when it cannot be read.
  bool scan_file(const ScanTarget& target, ScanResult& result, std::string& error) const;

 private:
  static bool read_into(const std::string& path, std::vector<std::unique_ptr<ScanRun>>& runs,
                        std::string& error);

  std::vector<std::unique_ptr<Scanner>> scanners_;     // read flow files
  std::vector<std::unique_ptr<Scanner>> run_scanners_;  // fed by the pipeline (netviz)
  std::vector<ScannerNotice> notices_;
};

// Every scanner and what it does (-H).
std::string help_text();

// Every scanner, built with `options` (the registry's one list).
std::vector<std::unique_ptr<Scanner>> all_scanners(const ScannerOptions& options);

}  // namespace tcpflow::scanners
