// Rerunning into an output directory that already holds an earlier run:
// names are deterministic, so flow files of the same name are replaced. That
// is right, but it is said: one line at the start when the directory holds
// a report.xml, and at the end how many flow files replaced existing ones.
#pragma once
#include <cstdint>
#include <string>

namespace tcpflow::app {

class EarlierRun {
 public:
  // Looks at `outdir` before this run writes anything into it.
  explicit EarlierRun(const std::string& outdir);

  // The directory holds report.xml (an earlier run's).
  bool has_report() const { return has_report_; }
  // Call with each flow file's path before the file is created.
  void file_opening(const std::string& path);
  uint64_t replaced_files() const { return replaced_; }

  // The start line, when has_report(); empty otherwise.
  std::string start_notice() const;
  // The end line, when files were replaced; empty otherwise.
  std::string end_notice() const;

 private:
  std::string outdir_;
  bool has_report_ = false;
  // False for an empty or new directory: nothing can be replaced there, so
  // no file needs looking at (a fresh run pays nothing).
  bool may_hold_files_ = false;
  uint64_t replaced_ = 0;
};

}  // namespace tcpflow::app
