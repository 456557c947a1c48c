#include "app/earlier_run.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstring>
#include <memory>

namespace tcpflow::app {
namespace {

constexpr char kReportName[] = "report.xml";

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

// True when `dir` has an entry other than ".", ".." and report.xml.
bool holds_other_entries(const std::string& dir) {
  std::unique_ptr<DIR, DirCloser> handle(::opendir(dir.c_str()));
  if (!handle) return false;
  while (const dirent* entry = ::readdir(handle.get())) {
    const char* name = entry->d_name;
    if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
    if (std::strcmp(name, kReportName) == 0) continue;
    return true;
  }
  return false;
}

}  // namespace

EarlierRun::EarlierRun(const std::string& outdir) : outdir_(outdir) {
  struct stat st {};
  std::string report = outdir + "/" + kReportName;
  has_report_ = ::stat(report.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  may_hold_files_ = holds_other_entries(outdir);
}

void EarlierRun::file_opening(const std::string& path) {
  if (!may_hold_files_) return;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) ++replaced_;
}

std::string EarlierRun::start_notice() const {
  if (!has_report_) return {};
  return "output directory " + outdir_ +
         " holds report.xml of an earlier run: flow files of the same names are replaced";
}

std::string EarlierRun::end_notice() const {
  if (replaced_ == 0) return {};
  return std::to_string(replaced_) + (replaced_ == 1 ? " flow file" : " flow files") +
         " replaced existing files in output directory " + outdir_;
}

}  // namespace tcpflow::app
