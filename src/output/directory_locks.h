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
    const size_t slash = path.rfind('/');
    const std::string_view dir = slash == std::string_view::npos ? std::string_view()
                                                                 : path.substr(0, slash);
    return std::unique_lock<std::mutex>(stripes_[hash_text(dir) % kStripes]);
  }

 private:
  // Directories share a stripe now and then; two creations in different
  // directories then wait for each other, which costs little.
  static constexpr size_t kStripes = 64;
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace tcpflow::output
