#include "output/direct_file_writer.h"

#include <fcntl.h>

#include <cerrno>

#include "output/cached_output_file.h"
#include "output/file_io.h"

namespace tcpflow::output {

namespace {

class DirectFile : public CachedOutputFile {
 public:
  DirectFile(FdCache& cache, std::string path, Owner& owner)
      : CachedOutputFile(cache, std::move(path), owner) {}

  bool write(uint64_t offset, ByteView data) override {
    int fd = open_for_writing();
    if (fd < 0) return false;
    if (int err = write_fully(fd, data.data(), data.size(), offset)) {
      return failed("write failed", err);
    }
    return true;
  }

  bool read(uint64_t offset, uint8_t* out, size_t len) override {
    int fd = open_for_writing();
    return fd >= 0 && read_fully(fd, out, len, offset);
  }

  uint64_t close(Timestamp mtime, bool& ok) override {
    ok = true;
    int fd = release_descriptor();
    // An evicted file (no descriptor) is stamped by path.
    if (fd >= 0 || created_) {
      if (int err = close_stamped(fd, path().c_str(), mtime)) ok = failed("close failed", err);
    }
    return 0;
  }

 private:
  // The first open truncates, so a rerun into the same directory
  // overwrites; later opens (after an eviction) continue the file in place.
  int open_for_writing() {
    int flags = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (created_ ? 0 : O_TRUNC);
    int fd = descriptor(flags, 0644);
    if (fd < 0) {
      failed(created_ ? "cannot reopen" : "cannot create", errno);
      return -1;
    }
    created_ = true;
    return fd;
  }

  bool created_ = false;
};

}  // namespace

std::unique_ptr<OutputFile> DirectFileWriter::open(std::string path, OutputFile::Owner& owner) {
  return std::make_unique<DirectFile>(cache_, std::move(path), owner);
}

}  // namespace tcpflow::output
