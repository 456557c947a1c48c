#include "output/flow_file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "output/file_io.h"

namespace tcpflow::output {

namespace {

// Large enough to turn a run of MSS-sized segments into few syscalls, small
// enough that a thousand open flows cost little memory.
constexpr size_t kBufferSize = FdCache::kBufferSize;
constexpr size_t kShiftChunk = 1 << 20;

}  // namespace

FlowFileSink::FlowFileSink(FdCache& cache, BackgroundWriter* background, std::string path,
                           bool write_index, Stats& stats)
    : cache_(cache),
      background_(background),
      path_(std::move(path)),
      write_index_(write_index),
      stats_(stats) {}

FlowFileSink::~FlowFileSink() {
  if (!closed_) close(Timestamp{});
}

void FlowFileSink::fail(const char* what, int err) {
  stats_.add(Counter::kWriteErrors);
  if (failed_) return;
  failed_ = true;
  error_ = std::string(what) + ": " + std::strerror(err);
  std::fprintf(stderr, "tcpflow: %s: %s; the rest of this flow is not written\n", path_.c_str(),
               error_.c_str());
}

bool FlowFileSink::ensure_open() {
  if (failed_) return false;
  if (fd_ >= 0) {
    cache_.touch(*this);
    return true;
  }
  // The first open truncates, so a rerun into the same directory overwrites;
  // later opens (after an eviction) continue the file in place.
  int flags = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (created_ ? 0 : O_TRUNC);
  fd_ = cache_.open(*this, path_, flags, 0644);
  if (fd_ < 0) {
    fail(created_ ? "cannot reopen" : "cannot create", errno);
    return false;
  }
  created_ = true;
  return true;
}

bool FlowFileSink::write_at(uint64_t offset, const uint8_t* data, size_t len) {
  if (background_) {
    if (!created_) {
      first_ticket_ = background_->create(path_);
      created_ = true;
    }
    ticket_ = background_->write(first_ticket_, offset, ByteView(data, len));
    WriteJob& slot = recent_jobs_[next_recent_];
    older_ticket_ = std::max(older_ticket_, slot.ticket);
    slot = WriteJob{ticket_, offset, offset + len};
    next_recent_ = (next_recent_ + 1) % kRecentJobs;
    return true;
  }
  if (!ensure_open()) return false;
  if (int err = write_fully(fd_, data, len, offset)) {
    fail("write failed", err);
    return false;
  }
  return true;
}

bool FlowFileSink::flush_buffer() {
  if (buffer_used_ == 0) return true;
  size_t used = buffer_used_;
  buffer_used_ = 0;
  return write_at(buffer_offset_, buffer_.get(), used);
}

void FlowFileSink::write(uint64_t offset, ByteView data, Timestamp ts) {
  if (data.empty() || closed_) return;
  if (write_index_) index_.push_back(IndexEntry{offset, ts, data.size()});
  size_ = std::max<uint64_t>(size_, offset + data.size());
  if (failed_) return;
  bool appends = buffer_used_ > 0 && offset == buffer_offset_ + buffer_used_;
  if (appends && buffer_used_ + data.size() <= buffer_capacity()) {
    std::memcpy(buffer_.get() + buffer_used_, data.data(), data.size());
    buffer_used_ += data.size();
    return;
  }
  if (!flush_buffer()) return;
  if (appends) grow_buffer_after_fill();
  if (data.size() >= (buffer_ ? buffer_capacity() : kBufferSize)) {
    write_at(offset, data.data(), data.size());
    return;
  }
  // Without a background writer the file is created at once, as tcpflow
  // does; with one, creation waits, so a short direction is written whole.
  if (!background_ && !ensure_open()) return;
  if (!buffer_) {
    buffer_ = cache_.reserve_buffer();
    if (!buffer_) {
      write_at(offset, data.data(), data.size());
      return;
    }
  }
  std::memcpy(buffer_.get(), data.data(), data.size());
  buffer_offset_ = offset;
  buffer_used_ = data.size();
}

uint64_t FlowFileSink::job_that_wrote(uint64_t offset, size_t len) const {
  uint64_t newest = 0;
  for (const WriteJob& job : recent_jobs_) {
    if (job.ticket != 0 && job.start < offset + len && offset < job.end) {
      newest = std::max(newest, job.ticket);
    }
  }
  // Jobs run in order: once the newest that wrote there is done, so are the
  // older ones, and the creation.
  return std::max(newest ? newest : older_ticket_, first_ticket_);
}

// With a background writer: the bytes are on disk once the job that wrote
// them last has finished; the writer is waited for only when it has not.
bool FlowFileSink::open_to_read_back(uint64_t offset, size_t len) {
  if (!background_) return ensure_open();
  if (!created_) return false;
  background_->wait_for(job_that_wrote(offset, len));
  if (fd_ >= 0) {
    cache_.touch(*this);
    return true;
  }
  fd_ = cache_.open(*this, path_, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  return fd_ >= 0;
}

bool FlowFileSink::read_back(uint64_t offset, uint8_t* out, size_t len) {
  if (failed_ || closed_ || offset + len > size_) return false;
  // The bytes compared are often the latest ones, still in the buffer.
  if (buffer_used_ > 0 && offset >= buffer_offset_ &&
      offset + len <= buffer_offset_ + buffer_used_) {
    std::memcpy(out, buffer_.get() + (offset - buffer_offset_), len);
    return true;
  }
  if (!flush_buffer() || !open_to_read_back(offset, len)) return false;
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd_, out + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {  // a sparse tail never written reads as zeros
      std::memset(out + done, 0, len - done);
      break;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool FlowFileSink::shift(uint64_t delta) {
  if (closed_ || failed_) return false;
  if (delta == 0 || size_ == 0) {
    size_ += size_ ? delta : 0;
    return true;
  }
  if (!flush_buffer() || (!background_ && !ensure_open())) return false;
  std::vector<uint8_t> chunk(static_cast<size_t>(std::min<uint64_t>(kShiftChunk, size_)));
  // Move from the end backwards so nothing is overwritten before it is read.
  uint64_t end = size_;
  while (end > 0) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(chunk.size(), end));
    uint64_t start = end - len;
    if (!read_back(start, chunk.data(), len) || !write_at(start + delta, chunk.data(), len)) {
      return false;
    }
    end = start;
  }
  // The vacated front becomes a hole until the lower segment lands there.
  std::fill(chunk.begin(), chunk.end(), 0);
  for (uint64_t pos = 0; pos < std::min(delta, size_);) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(chunk.size(), std::min(delta, size_) - pos));
    if (!write_at(pos, chunk.data(), len)) return false;
    pos += len;
  }
  size_ += delta;
  for (IndexEntry& entry : index_) entry.offset += delta;
  return true;
}

void FlowFileSink::quiesce(Timestamp) {
  // The buffer goes back to the pool, but the descriptor stays in the LRU
  // cache, which takes it back when others need it: closing it here would
  // make close() set the mtime by path (a second lookup per file) instead
  // of with futimens on the open descriptor. A background writer does the
  // same with its own.
  flush_buffer();
  drop_buffer();
}

void FlowFileSink::drop_buffer() {
  if (!buffer_) return;
  if (buffer_large_) {
    cache_.release_large_buffer(std::move(buffer_));
  } else {
    cache_.release_buffer(std::move(buffer_));
  }
  buffer_large_ = false;
}

// Called with the buffer just flushed (empty). After a few fills the flow
// is a long one: its next bytes go to a large buffer when one is free.
void FlowFileSink::grow_buffer_after_fill() {
  constexpr uint32_t kFillsBeforeLarge = 4;
  if (buffer_large_ || ++buffer_fills_ < kFillsBeforeLarge) return;
  std::unique_ptr<uint8_t[]> large = cache_.reserve_large_buffer();
  if (!large) return;
  drop_buffer();
  buffer_ = std::move(large);
  buffer_large_ = true;
}

void FlowFileSink::evict_fd() {
  flush_buffer();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  drop_buffer();
}

void FlowFileSink::write_index() {
  std::stable_sort(index_.begin(), index_.end(),
                   [](const IndexEntry& a, const IndexEntry& b) { return a.offset < b.offset; });
  std::string index_path = path_ + ".findx";
  std::FILE* file = std::fopen(index_path.c_str(), "we");
  if (!file) {
    fail("cannot create index", errno);
    return;
  }
  for (const IndexEntry& e : index_) {
    std::fprintf(file, "%" PRIu64 "|%" PRId64 ".%06u|%" PRIu64 "\n", e.offset, e.ts.sec,
                 e.ts.nsec / 1000, e.length);
  }
  if (std::fclose(file) != 0) fail("cannot write index", errno);
  index_.clear();
  index_.shrink_to_fit();
}

void FlowFileSink::close(Timestamp mtime) {
  if (closed_) return;
  flush_buffer();
  // The writer thread stamps and closes what it wrote; a descriptor here is
  // then only one opened for reading back.
  bool stamp_here = created_ && !background_;
  if (background_ && created_) ticket_ = background_->close(first_ticket_, mtime);
  if (fd_ >= 0) cache_.forget(*this);
  if (fd_ >= 0 || stamp_here) {
    if (int err = close_stamped(fd_, path_.c_str(), stamp_here ? mtime : Timestamp{})) fail("close failed", err);
    fd_ = -1;
  }
  drop_buffer();
  closed_ = true;
  if (write_index_) write_index();
}

}  // namespace tcpflow::output
