// One file creation at a time in each directory, across writer threads.
// Creating (or removing) a name takes the directory's lock in the kernel
// anyway; on ext4 right after a large delete each creation also walks the
// recently freed inodes while holding it, and a second thread waiting for
// it spins (rwsem_spin_on_owner) and burns a core for nothing. Taking a
// user-space lock first makes the second thread sleep instead. Files in
// different directories (-Fk and the like) are still created in parallel.
#pragma once
#include <array>
#include <cstddef>
#include <mutex>
#include <string_view>

#include "util/hash.h"

namespace tcpflow::output {

class DirectoryLocks {
 public:
  // Held while creating or removing `path`'s name.
  std::unique_lock<std::mutex> lock_parent_of(std::string_view path) {
    return std::unique_lock<std::mutex>(lock_for_parent_of(path));
  }
  std::mutex& lock_for_parent_of(std::string_view path) {
    const size_t slash = path.rfind('/');
    const std::string_view dir = slash == std::string_view::npos ? std::string_view()
                                                                 : path.substr(0, slash);
    return stripes_[hash_text(dir) % kStripes];
  }

 private:
  // Directories share a stripe now and then; two creations in different
  // directories then wait for each other, which costs little.
  static constexpr size_t kStripes = 64;
  std::array<std::mutex, kStripes> stripes_;
};

// One writer thread's hold on a directory's lock, kept from one creation to
// the next until release(): a batch of short flows creates a file every few
// jobs, and handing the lock to the other writer and back for each (a futex
// wake and a sleep per file) cost W2 on ext4 a tenth of its CPU and made it
// slower than one writer. The writer releases at the end of each batch and
// before long work (compressing, staging), so the other waits for at most
// one batch. It holds one lock at most, taking another directory's releases
// the first, so two writers never wait for each other in a cycle.
class DirectoryHold {
 public:
  explicit DirectoryHold(DirectoryLocks& locks) : locks_(locks) {}
  DirectoryHold(const DirectoryHold&) = delete;
  DirectoryHold& operator=(const DirectoryHold&) = delete;

  void hold_parent_of(std::string_view path) {
    std::mutex& wanted = locks_.lock_for_parent_of(path);
    if (held_.owns_lock() && held_.mutex() == &wanted) return;
    release();
    held_ = std::unique_lock<std::mutex>(wanted);
  }
  void release() {
    if (held_.owns_lock()) held_.unlock();
  }
  bool holding() const { return held_.owns_lock(); }

 private:
  DirectoryLocks& locks_;
  std::unique_lock<std::mutex> held_;
};

}  // namespace tcpflow::output
