#include "output/background_file_writer.h"

#include <fcntl.h>

#include <algorithm>

#include "output/cached_output_file.h"
#include "output/file_io.h"

namespace tcpflow::output {

namespace {

// The ticket of a file's create job names the file in its later jobs. The
// bytes a read-back asks for are mostly either recent (written by one of the
// last few jobs, kept in a ring) or long written; so only the job that last
// wrote them, when it is not done yet, is waited for.
class BackgroundFile : public CachedOutputFile {
 public:
  BackgroundFile(BackgroundWriter& writer, FdCache& cache, std::string path, Owner& owner)
      : CachedOutputFile(cache, std::move(path), owner), writer_(writer) {}

  bool write(uint64_t offset, ByteView data) override {
    if (file_.id == 0) file_ = writer_.create_ref(path());
    last_ticket_ = writer_.write(file_, offset, data);
    WriteJob& slot = recent_jobs_[next_recent_];
    older_ticket_ = std::max(older_ticket_, slot.ticket);
    slot = WriteJob{last_ticket_, offset, offset + data.size()};
    next_recent_ = (next_recent_ + 1) % kRecentJobs;
    return true;
  }

  bool read(uint64_t offset, uint8_t* out, size_t len) override {
    if (file_.id == 0) return false;
    if (read_recent(offset, out, len)) return true;
    uint64_t wait = job_that_wrote(offset, len);
    // A file compressed as it is written has no plain form to read yet.
    if (writer_.compresses_while_writing()) {
      if (stage_ticket_ == 0) stage_ticket_ = writer_.stage(file_);
      wait = std::max(wait, stage_ticket_);
    }
    writer_.wait_for(wait);
    int fd = descriptor(O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
    return fd >= 0 && read_fully(fd, out, len, offset);
  }

  // The writer thread stamps and closes the file; its failures come with
  // the close ticket.
  uint64_t close(Timestamp mtime, bool& ok) override {
    ok = true;
    if (file_.id != 0) last_ticket_ = writer_.close(file_, mtime);
    close_descriptor();  // the one for reading back, if any
    return last_ticket_;
  }

 private:
  struct WriteJob {
    uint64_t ticket;
    uint64_t start;
    uint64_t end;
  };
  static constexpr size_t kRecentJobs = 4;

  // The latest of the recent jobs that wrote any of these bytes, if any.
  const WriteJob* newest_job_over(uint64_t offset, size_t len) const {
    const WriteJob* newest = nullptr;
    for (const WriteJob& job : recent_jobs_) {
      if (job.ticket != 0 && job.start < offset + len && offset < job.end &&
          (newest == nullptr || job.ticket > newest->ticket)) {
        newest = &job;
      }
    }
    return newest;
  }

  // The bytes as the recent jobs wrote them, piece by piece (a
  // retransmission often spans two writes), from the batches the writer
  // still keeps; false when some piece is not there.
  bool read_recent(uint64_t offset, uint8_t* out, size_t len) const {
    const uint64_t end = offset + len;
    for (uint64_t at = offset; at < end;) {
      const WriteJob* newest = newest_job_over(at, 1);
      if (newest == nullptr) return false;
      // Up to where a newer recent job starts to cover the bytes.
      uint64_t piece_end = std::min(newest->end, end);
      for (const WriteJob& job : recent_jobs_) {
        if (job.ticket > newest->ticket && job.start > at && job.start < piece_end) {
          piece_end = job.start;
        }
      }
      const size_t piece = static_cast<size_t>(piece_end - at);
      if (!writer_.read_written(file_, newest->ticket, at, out + (at - offset), piece)) {
        return false;
      }
      at = piece_end;
    }
    return true;
  }

  uint64_t job_that_wrote(uint64_t offset, size_t len) const {
    const WriteJob* newest = newest_job_over(offset, len);
    // Jobs run in order: once the newest that wrote there is done, so are
    // the older ones, and the creation.
    return std::max(newest ? newest->ticket : older_ticket_, file_.id);
  }

  BackgroundWriter& writer_;
  BackgroundWriter::FileRef file_;  // named by the create job; id 0 until the first write
  uint64_t last_ticket_ = 0;   // the latest job on the file
  uint64_t stage_ticket_ = 0;  // the job that gave it a plain form, if any
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
