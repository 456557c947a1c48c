// Writes one flow direction to its file: contiguous bytes are coalesced in a
// small buffer and written with pwrite at their 64-bit offset; anything else
// is written in place, so holes stay sparse. The descriptor lives in the
// FdCache and may be closed and reopened between writes. With -I a .findx
// index (offset|time|length, sorted by offset) is written beside the file.
//
// Given a BackgroundWriter, every write, the creation and the close go to
// it instead (the file is created when its first bytes leave the buffer);
// this thread opens the file only to read bytes back (an overlap compared)
// and then first waits for the writer to catch up with it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "output/background_writer.h"
#include "output/fd_cache.h"
#include "reassembly/stream_sink.h"
#include "util/stats.h"
#include "util/timestamp.h"

namespace tcpflow::output {

class FlowFileSink : public reassembly::StreamSink, private FdCache::Client {
 public:
  // `background` may be null: every file is then written on this thread.
  FlowFileSink(FdCache& cache, BackgroundWriter* background, std::string path, bool write_index,
               Stats& stats);
  ~FlowFileSink() override;
  FlowFileSink(const FlowFileSink&) = delete;
  FlowFileSink& operator=(const FlowFileSink&) = delete;

  void write(uint64_t offset, ByteView data, Timestamp ts) override;
  bool read_back(uint64_t offset, uint8_t* out, size_t len) override;
  bool shift(uint64_t delta) override;
  void quiesce(Timestamp last_ts) override;

  // Flushes, closes, writes the index and sets the file's mtime. Idempotent.
  void close(Timestamp mtime);
  // The writer jobs that create this file and close it, first and last
  // ({0, 0} when it was written here). Their failures are not in
  // failed()/error(): take them from the writer, under the last.
  std::pair<uint64_t, uint64_t> background_tickets() const { return {first_ticket_, ticket_}; }

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  bool failed() const { return failed_; }
  const std::string& error() const { return error_; }

 private:
  struct IndexEntry {
    uint64_t offset;
    Timestamp ts;
    uint64_t length;
  };

  bool ensure_open();
  bool open_to_read_back(uint64_t offset, size_t len);
  uint64_t job_that_wrote(uint64_t offset, size_t len) const;
  bool flush_buffer();
  bool write_at(uint64_t offset, const uint8_t* data, size_t len);
  void fail(const char* what, int err);
  void evict_fd() override;
  void drop_buffer();
  void grow_buffer_after_fill();
  size_t buffer_capacity() const {
    return !buffer_ ? 0 : buffer_large_ ? FdCache::kLargeBufferSize : FdCache::kBufferSize;
  }
  void write_index();

  FdCache& cache_;
  BackgroundWriter* background_;
  std::string path_;
  bool write_index_;
  Stats& stats_;
  int fd_ = -1;
  bool created_ = false;
  bool closed_ = false;
  bool failed_ = false;
  std::string error_;
  uint64_t size_ = 0;
  std::unique_ptr<uint8_t[]> buffer_;
  bool buffer_large_ = false;
  uint32_t buffer_fills_ = 0;  // times contiguous bytes filled the buffer
  size_t buffer_used_ = 0;
  uint64_t buffer_offset_ = 0;
  uint64_t first_ticket_ = 0;  // the job that creates the file: it names the file to the writer
  uint64_t ticket_ = 0;        // the last job on the file
  // The last few write jobs: bytes read back are mostly either recent (in
  // one of these) or long written, and only a job not yet finished is
  // waited for. Jobs before them have tickets up to older_ticket_.
  struct WriteJob {
    uint64_t ticket;
    uint64_t start;
    uint64_t end;
  };
  static constexpr size_t kRecentJobs = 4;
  WriteJob recent_jobs_[kRecentJobs] = {};
  size_t next_recent_ = 0;
  uint64_t older_ticket_ = 0;
  std::vector<IndexEntry> index_;
};

}  // namespace tcpflow::output
