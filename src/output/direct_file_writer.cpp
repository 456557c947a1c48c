#include "output/direct_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "output/file_io.h"

namespace tcpflow::output {

namespace {

class DirectFile : public OutputFile, private FdCache::Client {
 public:
  DirectFile(FdCache& cache, std::string path, Owner& owner)
      : OutputFile(std::move(path)), cache_(cache), owner_(owner) {}
  ~DirectFile() override {
    if (fd_ >= 0) {
      cache_.forget(*this);
      ::close(fd_);
    }
  }

  bool prepare() override { return ensure_open(); }

  bool write(uint64_t offset, ByteView data) override {
    if (!ensure_open()) return false;
    if (int err = write_fully(fd_, data.data(), data.size(), offset)) {
      return failed("write failed", err);
    }
    return true;
  }

  bool read(uint64_t offset, uint8_t* out, size_t len) override {
    return ensure_open() && read_fully(fd_, out, len, offset);
  }

  uint64_t close(Timestamp mtime, bool& ok) override {
    ok = true;
    if (fd_ >= 0) cache_.forget(*this);
    if (fd_ >= 0 || created_) {
      if (int err = close_stamped(fd_, path().c_str(), mtime)) ok = failed("close failed", err);
      fd_ = -1;
    }
    return 0;
  }

 private:
  bool ensure_open() {
    if (fd_ >= 0) {
      cache_.touch(*this);
      return true;
    }
    // The first open truncates, so a rerun into the same directory
    // overwrites; later opens (after an eviction) continue the file in place.
    int flags = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (created_ ? 0 : O_TRUNC);
    fd_ = cache_.open(*this, path(), flags, 0644);
    if (fd_ < 0) return failed(created_ ? "cannot reopen" : "cannot create", errno);
    created_ = true;
    return true;
  }

  void evict_fd() override {
    owner_.before_descriptor_closed();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  FdCache& cache_;
  Owner& owner_;
  int fd_ = -1;
  bool created_ = false;
};

}  // namespace

std::unique_ptr<OutputFile> DirectFileWriter::open(std::string path, OutputFile::Owner& owner) {
  return std::make_unique<DirectFile>(cache_, std::move(path), owner);
}

}  // namespace tcpflow::output
