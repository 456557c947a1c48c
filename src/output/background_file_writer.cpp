#include "output/background_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "output/file_io.h"

namespace tcpflow::output {

namespace {

// The ticket of a file's create job names the file in its later jobs. The
// bytes a read-back asks for are mostly either recent (written by one of the
// last few jobs, kept in a ring) or long written; so only the job that last
// wrote them, when it is not done yet, is waited for.
class BackgroundFile : public OutputFile, private FdCache::Client {
 public:
  BackgroundFile(BackgroundWriter& writer, FdCache& cache, std::string path, Owner& owner)
      : OutputFile(std::move(path)), writer_(writer), cache_(cache), owner_(owner) {}
  ~BackgroundFile() override { close_read_descriptor(); }

  bool prepare() override { return true; }

  bool write(uint64_t offset, ByteView data) override {
    if (first_ticket_ == 0) first_ticket_ = writer_.create(path());
    last_ticket_ = writer_.write(first_ticket_, offset, data);
    WriteJob& slot = recent_jobs_[next_recent_];
    older_ticket_ = std::max(older_ticket_, slot.ticket);
    slot = WriteJob{last_ticket_, offset, offset + data.size()};
    next_recent_ = (next_recent_ + 1) % kRecentJobs;
    return true;
  }

  bool read(uint64_t offset, uint8_t* out, size_t len) override {
    if (first_ticket_ == 0) return false;
    writer_.wait_for(job_that_wrote(offset, len));
    if (fd_ >= 0) {
      cache_.touch(*this);
    } else {
      fd_ = cache_.open(*this, path(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
      if (fd_ < 0) return false;
    }
    return read_fully(fd_, out, len, offset);
  }

  // The writer thread stamps and closes the file; its failures come with
  // the close ticket.
  uint64_t close(Timestamp mtime, bool& ok) override {
    ok = true;
    if (first_ticket_ != 0) last_ticket_ = writer_.close(first_ticket_, mtime);
    close_read_descriptor();
    return last_ticket_;
  }

 private:
  struct WriteJob {
    uint64_t ticket;
    uint64_t start;
    uint64_t end;
  };
  static constexpr size_t kRecentJobs = 4;

  uint64_t job_that_wrote(uint64_t offset, size_t len) const {
    uint64_t newest = 0;
    for (const WriteJob& job : recent_jobs_) {
      if (job.ticket != 0 && job.start < offset + len && offset < job.end) {
        newest = std::max(newest, job.ticket);
      }
    }
    // Jobs run in order: once the newest that wrote there is done, so are
    // the older ones, and the creation.
    return std::max(newest ? newest : older_ticket_, first_ticket_);
  }

  void close_read_descriptor() {
    if (fd_ < 0) return;
    cache_.forget(*this);
    ::close(fd_);
    fd_ = -1;
  }

  void evict_fd() override {
    owner_.before_descriptor_closed();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  BackgroundWriter& writer_;
  FdCache& cache_;
  Owner& owner_;
  int fd_ = -1;  // read-only, for reading back
  uint64_t first_ticket_ = 0;  // the create job; 0 until the first write
  uint64_t last_ticket_ = 0;   // the latest job on the file
  WriteJob recent_jobs_[kRecentJobs] = {};
  size_t next_recent_ = 0;
  uint64_t older_ticket_ = 0;  // every write job before the ring's has a ticket up to this
};

}  // namespace

std::unique_ptr<OutputFile> BackgroundFileWriter::open(std::string path,
                                                       OutputFile::Owner& owner) {
  return std::make_unique<BackgroundFile>(writer_, cache_, std::move(path), owner);
}

}  // namespace tcpflow::output
