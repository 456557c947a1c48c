#include "scanners/registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "scanners/scan_http.h"
#include "scanners/scan_md5.h"
#include "scanners/scan_netviz.h"
#include "scanners/scan_python.h"
#include "util/error.h"

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

}  // namespace

ScannerSet ScannerSet::select(const ScannerSelection& selection,
                              const ScannerOptions& options) {
  std::vector<std::unique_ptr<Scanner>> available = all_scanners(options);
  auto known = [&](const std::string& name) {
    return name == "all" || std::any_of(available.begin(), available.end(),
                                        [&](const auto& s) { return s->name() == name; });
  };
  for (const auto* list : {&selection.enable, &selection.disable}) {
    for (const std::string& name : *list) {
      if (!known(name)) throw UsageError("unknown scanner '" + name + "' (see tcpflow -H)");
    }
  }
  if (!selection.exclusive.empty() && !known(selection.exclusive)) {
    throw UsageError("unknown scanner '" + selection.exclusive + "' (see tcpflow -H)");
  }
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
  if (scanners_.empty()) return true;
  const std::string& path = target.path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  std::vector<std::unique_ptr<ScanRun>> runs;
  for (const auto& scanner : scanners_) {
    if (auto run = scanner->begin(target)) runs.push_back(std::move(run));
  }
  if (runs.empty()) {
    ::close(fd);
    return true;
  }
  std::vector<uint8_t> buffer(64 * 1024);
  bool ok = true;
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = path + ": " + std::strerror(errno);
      ok = false;
      break;
    }
    if (n == 0) break;
    bool more = false;
    for (auto& run : runs) {
      if (!run->wants_more()) continue;
      run->update(ByteView(buffer.data(), static_cast<size_t>(n)));
      more = more || run->wants_more();
    }
    if (!more) break;
  }
  ::close(fd);
  if (ok) {
    for (auto& run : runs) run->finish(result);
  }
  return ok;
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
