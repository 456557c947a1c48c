#include "scanners/registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "scanners/legacy_names.h"
#include "scanners/scan_http.h"
#include "scanners/scan_md5.h"
#include "scanners/scan_netviz.h"
#include "scanners/scan_python.h"
#include "util/error.h"
#include "util/unique_fd.h"

namespace tcpflow::scanners {

std::vector<std::unique_ptr<Scanner>> all_scanners(const ScannerOptions& options) {
  std::vector<std::unique_ptr<Scanner>> list;
  list.push_back(make_md5_scanner());
  list.push_back(make_http_scanner(options));
  list.push_back(make_python_scanner(options));
  list.push_back(make_netviz_scanner(options));
  return list;
}

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A name no registered scanner has: tcpflow 1.6.1's always-on demultiplexer
// or a 1.6.1 scanner we lack gives a notice (none for an -e/-E of tcpdemux,
// which asks for what always happens); anything else is a usage error.
std::optional<ScannerNotice> check_unregistered(char option, const std::string& name) {
  std::string flag = std::string("-") + option + " " + name;
  if (name == kDemuxScannerName) {
    if (option != 'x') return std::nullopt;
    return ScannerNotice{flag + " ignored: the TCP demultiplexer is always on (1.6.1's "
                         "-x tcpdemux turned all processing off)", false};
  }
  const LegacyScanner* legacy = find_legacy_scanner(name);
  if (legacy == nullptr) throw UsageError("unknown scanner '" + name + "' (see tcpflow -H)");
  std::string what = "tcpflow 1.6.1's scanner '" + name + "' (" + std::string(legacy->did) +
                     ") is not part of this tcpflow";
  if (option == 'x') return ScannerNotice{flag + " ignored: " + what, false};
  return ScannerNotice{flag + ": " + what + "; the run goes on without it", true};
}

}  // namespace

ScannerSet ScannerSet::select(const ScannerSelection& selection,
                              const ScannerOptions& options) {
  std::vector<std::unique_ptr<Scanner>> available = all_scanners(options);
  auto known = [&](const std::string& name) {
    return name == "all" || std::any_of(available.begin(), available.end(),
                                        [&](const auto& s) { return s->name() == name; });
  };
  std::vector<ScannerNotice> notices;
  auto check = [&](char option, const std::string& name) {
    if (known(name)) return;
    if (auto notice = check_unregistered(option, name)) notices.push_back(std::move(*notice));
  };
  for (const std::string& name : selection.enable) check('e', name);
  for (const std::string& name : selection.disable) check('x', name);
  if (!selection.exclusive.empty()) check('E', selection.exclusive);
  ScannerSet set;
  for (auto& scanner : available) {
    std::string name(scanner->name());
    bool by_all = (selection.all || contains(selection.enable, "all")) && scanner->enabled_by_all();
    bool on = by_all || contains(selection.enable, name) ||
              (name == "md5" && selection.md5_every_flow);
    if (!selection.exclusive.empty()) on = selection.exclusive == name;
    if (contains(selection.disable, name) || contains(selection.disable, "all")) on = false;
    if (!on) continue;
    (scanner->reads_flows() ? set.scanners_ : set.run_scanners_).push_back(std::move(scanner));
  }
  for (auto& scanner : set.scanners_) scanner->setup();
  for (auto& scanner : set.run_scanners_) scanner->setup();
  set.notices_ = std::move(notices);
  return set;
}

std::vector<std::string> ScannerSet::names() const {
  std::vector<std::string> out;
  for (const auto& s : scanners_) out.emplace_back(s->name());
  for (const auto& s : run_scanners_) out.emplace_back(s->name());
  return out;
}

bool ScannerSet::enabled(std::string_view name) const {
  for (const auto* list : {&scanners_, &run_scanners_}) {
    for (const auto& s : *list) {
      if (s->name() == name) return true;
    }
  }
  return false;
}

bool ScannerSet::scan_file(const ScanTarget& target, ScanResult& result,
                           std::string& error) const {
  std::vector<std::unique_ptr<ScanRun>> runs;
  bool wanted = false;
  for (const auto& scanner : scanners_) {
    if (auto run = scanner->begin(target)) {
      wanted = wanted || run->wants_more();
      runs.push_back(std::move(run));
    }
  }
  // A run may know its result before reading (md5: the writer hashed the
  // file as it wrote it): then the file is not opened at all.
  bool ok = !wanted || read_into(target.path, runs, error);
  if (ok) {
    for (auto& run : runs) run->finish(result);
  }
  return ok;
}

bool ScannerSet::read_into(const std::string& path, std::vector<std::unique_ptr<ScanRun>>& runs,
                           std::string& error) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  constexpr size_t kChunk = 64 * 1024;
  std::unique_ptr<uint8_t[]> buffer(new uint8_t[kChunk]);  // not zeroed: read() fills it
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.get(), kChunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = path + ": " + std::strerror(errno);
      return false;
    }
    if (n == 0) return true;
    bool more = false;
    for (auto& run : runs) {
      if (!run->wants_more()) continue;
      run->update(ByteView(buffer.get(), static_cast<size_t>(n)));
      more = more || run->wants_more();
    }
    if (!more) return true;
  }
}

std::string help_text() {
  std::string out = "Scanners (enable with -e NAME, disable with -x NAME, -e all or -a for all):\n";
  for (const auto& scanner : all_scanners(ScannerOptions{})) {
    out += "  ";
    out += scanner->name();
    out += std::string(10 - std::min<size_t>(9, scanner->name().size()), ' ');
    out += scanner->description();
    out += "\n";
    std::string_view settings = scanner->settings_help();
    while (!settings.empty()) {
      size_t end = settings.find('\n');
      out += "      -S ";
      out += settings.substr(0, end);
      out += "\n";
      settings = end == std::string_view::npos ? std::string_view{} : settings.substr(end + 1);
    }
  }
  return out;
}

}  // namespace tcpflow::scanners
