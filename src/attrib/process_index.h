// Maps a socket inode to the process that holds it, and describes a process
// (uid, user, pid, ppid, comm, exe, cmdline), from a /proc tree. The inode
// map is a cache. A miss first re-reads the fd directories of the processes
// that owned the latest sockets found (a client or server usually makes
// many connections: a few directory reads instead of a scan of every
// process), then rescans every /proc/PID/fd at most once per
// `min_rescan_interval`, so a burst of unknown sockets costs one scan.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/process_info.h"
#include "util/unique_fd.h"

namespace tcpflow::attrib {

using flow::ProcessInfo;

class ProcessIndex {
 public:
  static constexpr size_t kMaxCmdline = 1024;

  // Opens `proc_root` now and reads through that descriptor from then on
  // (a chroot later does not hide it).
  explicit ProcessIndex(const std::string& proc_root = "/proc",
                        std::chrono::milliseconds min_rescan_interval =
                            std::chrono::milliseconds(20));

  // The process holding socket `inode` (the lowest pid when several share
  // it, e.g. after fork), or nullopt when none does (gone, or not visible).
  std::optional<ProcessInfo> find_socket(uint64_t inode);

  // Reads one process's description; nullopt when it has gone.
  std::optional<ProcessInfo> describe(int pid) const;

  // Entries of /proc/PID/fd that could not be read (other users' processes
  // without CAP_SYS_PTRACE) during the latest scan.
  size_t unreadable_processes() const { return unreadable_; }
  size_t scans() const { return scans_; }

 private:
  void rescan();
  // Adds the socket inodes of one process; false when it has gone or its
  // fd directory is unreadable.
  bool scan_process(int pid);
  // The recent owners, re-read; true once `inode` is in the map.
  bool rescan_recent_owners(uint64_t inode);
  void note_owner(int pid);

  static constexpr size_t kRecentOwners = 32;
  static constexpr size_t kMaxInodes = 1 << 16;  // then a full rescan starts afresh

  UniqueFd root_;
  // uid -> name: a passwd lookup per connection is a file read (and after
  // -z's chroot there may be no passwd file to read).
  mutable std::unordered_map<uint32_t, std::string> user_names_;
  std::chrono::milliseconds min_interval_;
  std::chrono::steady_clock::time_point last_scan_{};
  bool scanned_ = false;
  std::unordered_map<uint64_t, int> owner_of_inode_;
  std::vector<int> recent_owners_;  // most recent first
  size_t unreadable_ = 0;
  size_t scans_ = 0;
};

// The user name for `uid`, or its number as text.
std::string user_name(uint32_t uid);

}  // namespace tcpflow::attrib
