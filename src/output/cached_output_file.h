// An OutputFile whose packet-thread descriptor (for writing, or only for
// reading back) lives in an FdCache, which may take it back when others
// need one: the file's owner is told first, so it can write out its buffer.
#pragma once
#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "output/fd_cache.h"
#include "output/file_writer.h"

namespace tcpflow::output {

class CachedOutputFile : public OutputFile, private FdCache::Client {
 protected:
  CachedOutputFile(FdCache& cache, std::string path, Owner& owner)
      : OutputFile(std::move(path)), cache_(cache), owner_(owner) {}
  ~CachedOutputFile() override { close_descriptor(); }

  // The open descriptor, marked recently used; else the path opened with
  // `flags`. -1 with errno set when it cannot be opened.
  int descriptor(int flags, mode_t mode) {
    if (fd_ >= 0) {
      cache_.touch(*this);
    } else {
      fd_ = cache_.open(*this, path(), flags, mode);
    }
    return fd_;
  }
  void close_descriptor() {
    int fd = release_descriptor();
    if (fd >= 0) ::close(fd);
  }
  // Takes the descriptor out of the cache and hands it over (-1: none).
  int release_descriptor() {
    if (fd_ >= 0) cache_.forget(*this);
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  void evict_fd() override {
    owner_.before_descriptor_closed();
    ::close(fd_);
    fd_ = -1;
  }

  FdCache& cache_;
  Owner& owner_;
  int fd_ = -1;
};

}  // namespace tcpflow::output
