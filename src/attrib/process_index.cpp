#include "attrib/process_index.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <vector>

namespace tcpflow::attrib {

namespace {

struct DirCloser {
  void operator()(DIR* dir) const {
    if (dir) ::closedir(dir);
  }
};
using DirHandle = std::unique_ptr<DIR, DirCloser>;

std::optional<int> parse_pid(const char* name) {
  if (!name || !*name) return std::nullopt;
  int value = 0;
  for (const char* p = name; *p; ++p) {
    if (*p < '0' || *p > '9' || value > 100000000) return std::nullopt;
    value = value * 10 + (*p - '0');
  }
  return value;
}

// Everything is read relative to the /proc descriptor opened at start-up,
// so the lookups go on working after -z's chroot.
DirHandle open_dir_at(int root, const std::string& relative) {
  int fd = ::openat(root, relative.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return DirHandle();
  DIR* dir = ::fdopendir(fd);
  if (!dir) ::close(fd);
  return DirHandle(dir);
}

std::optional<std::string> read_link_at(int root, const std::string& relative) {
  char buffer[4096];
  ssize_t n = ::readlinkat(root, relative.c_str(), buffer, sizeof buffer);
  if (n < 0) return std::nullopt;
  return std::string(buffer, static_cast<size_t>(n));
}

// "socket:[12345]" -> 12345
std::optional<uint64_t> socket_inode(const std::string& target) {
  static constexpr char kPrefix[] = "socket:[";
  constexpr size_t kPrefixLength = sizeof kPrefix - 1;
  if (target.size() <= kPrefixLength + 1 || target.compare(0, kPrefixLength, kPrefix) != 0 ||
      target.back() != ']') {
    return std::nullopt;
  }
  uint64_t inode = 0;
  for (size_t i = kPrefixLength; i + 1 < target.size(); ++i) {
    char c = target[i];
    if (c < '0' || c > '9') return std::nullopt;
    inode = inode * 10 + static_cast<uint64_t>(c - '0');
  }
  return inode;
}

// Up to `cap` bytes; nullopt when the file cannot be opened.
std::optional<std::string> read_small_file_at(int root, const std::string& relative, size_t cap) {
  UniqueFd fd(::openat(root, relative.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  std::string data(cap, '\0');
  size_t have = 0;
  while (have < cap) {
    ssize_t n = ::read(fd.get(), data.data() + have, cap - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<size_t>(n);
  }
  data.resize(have);
  return data;
}

}  // namespace

std::string user_name(uint32_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(4096);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found) {
    return found->pw_name;
  }
  return std::to_string(uid);
}

ProcessIndex::ProcessIndex(const std::string& proc_root,
                           std::chrono::milliseconds min_rescan_interval)
    : root_(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)),
      min_interval_(min_rescan_interval) {}

void ProcessIndex::rescan() {
  ++scans_;
  scanned_ = true;
  last_scan_ = std::chrono::steady_clock::now();
  owner_of_inode_.clear();
  unreadable_ = 0;
  DirHandle proc = open_dir_at(root_.get(), ".");
  if (!proc) return;
  while (dirent* entry = ::readdir(proc.get())) {
    std::optional<int> pid = parse_pid(entry->d_name);
    if (pid && !scan_process(*pid)) ++unreadable_;
  }
}

bool ProcessIndex::scan_process(int pid) {
  std::string fd_dir = std::to_string(pid) + "/fd";
  DirHandle fds = open_dir_at(root_.get(), fd_dir);
  if (!fds) return false;
  while (dirent* fd = ::readdir(fds.get())) {
    if (fd->d_name[0] == '.') continue;
    std::optional<std::string> target = read_link_at(root_.get(), fd_dir + "/" + fd->d_name);
    if (!target) continue;
    std::optional<uint64_t> inode = socket_inode(*target);
    if (!inode) continue;
    auto [it, inserted] = owner_of_inode_.emplace(*inode, pid);
    if (!inserted && pid < it->second) it->second = pid;
  }
  return true;
}

bool ProcessIndex::rescan_recent_owners(uint64_t inode) {
  if (owner_of_inode_.size() > kMaxInodes) return false;  // let a full rescan trim it
  for (int pid : recent_owners_) {
    scan_process(pid);
    if (owner_of_inode_.count(inode)) return true;
  }
  return false;
}

void ProcessIndex::note_owner(int pid) {
  auto it = std::find(recent_owners_.begin(), recent_owners_.end(), pid);
  if (it != recent_owners_.end()) recent_owners_.erase(it);
  recent_owners_.insert(recent_owners_.begin(), pid);
  if (recent_owners_.size() > kRecentOwners) recent_owners_.pop_back();
}

std::optional<ProcessInfo> ProcessIndex::find_socket(uint64_t inode) {
  if (inode == 0) return std::nullopt;
  auto it = owner_of_inode_.find(inode);
  if (it == owner_of_inode_.end() && rescan_recent_owners(inode)) it = owner_of_inode_.find(inode);
  bool may_rescan =
      !scanned_ || std::chrono::steady_clock::now() - last_scan_ >= min_interval_;
  if ((it == owner_of_inode_.end() || !describe(it->second)) && may_rescan) {
    rescan();
    it = owner_of_inode_.find(inode);
  }
  if (it == owner_of_inode_.end()) return std::nullopt;
  std::optional<ProcessInfo> info = describe(it->second);
  if (info) note_owner(info->pid);
  return info;
}

std::optional<ProcessInfo> ProcessIndex::describe(int pid) const {
  const std::string dir = std::to_string(pid);
  std::optional<std::string> status = read_small_file_at(root_.get(), dir + "/status", 4096);
  if (!status) return std::nullopt;
  ProcessInfo info;
  info.pid = pid;
  bool have_uid = false;
  std::istringstream lines(*status);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.compare(0, 5, "Name:") == 0) {
      std::istringstream(line.substr(5)) >> info.cmd;
    } else if (line.compare(0, 5, "PPid:") == 0) {
      std::istringstream(line.substr(5)) >> info.ppid;
    } else if (line.compare(0, 4, "Uid:") == 0) {
      std::istringstream(line.substr(4)) >> info.uid;  // the real uid
      have_uid = true;
    }
  }
  if (!have_uid) return std::nullopt;
  // comm is exact (status escapes some characters); prefer it when readable.
  std::string comm = read_small_file_at(root_.get(), dir + "/comm", 64).value_or("");
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  if (!comm.empty()) info.cmd = comm;
  info.exe = read_link_at(root_.get(), dir + "/exe").value_or("");
  std::string argv =
      read_small_file_at(root_.get(), dir + "/cmdline", kMaxCmdline + 1).value_or("");
  while (!argv.empty() && argv.back() == '\0') argv.pop_back();
  if (argv.size() > kMaxCmdline) argv.resize(kMaxCmdline);
  for (char& c : argv) {
    if (c == '\0') c = ' ';
  }
  info.cmdline = argv;
  auto [name, added] = user_names_.try_emplace(info.uid);
  if (added) name->second = user_name(info.uid);
  info.user = name->second;
  return info;
}

}  // namespace tcpflow::attrib
