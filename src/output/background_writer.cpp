#include "output/background_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "output/file_times.h"

namespace tcpflow::output {

namespace {

std::string describe(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

}  // namespace

BackgroundWriter::BackgroundWriter(size_t workers, size_t batch_size, size_t queue_batches)
    : batch_size_(batch_size ? batch_size : 1), queue_(queue_batches) {
  for (size_t i = 0; i < (workers ? workers : 1); ++i) workers_.emplace_back([this] { run(); });
}

BackgroundWriter::~BackgroundWriter() {
  flush();
  queue_.close();  // the workers drain what is queued, then stop
  for (std::thread& worker : workers_) worker.join();
}

uint64_t BackgroundWriter::submit(std::string_view path, ByteView data, uint64_t offset,
                                  Timestamp mtime) {
  return add(path, data, offset, mtime, false);
}

uint64_t BackgroundWriter::touch(std::string_view path, Timestamp mtime) {
  return add(path, ByteView(), 0, mtime, true);
}

uint64_t BackgroundWriter::add(std::string_view path, ByteView data, uint64_t offset,
                               Timestamp mtime, bool touch_only) {
  uint64_t ticket = ++submitted_;
  std::vector<uint8_t>& bytes = batch_.bytes;
  size_t path_at = bytes.size();
  bytes.insert(bytes.end(), path.begin(), path.end());
  bytes.push_back(0);
  size_t data_at = bytes.size();
  bytes.insert(bytes.end(), data.begin(), data.end());
  batch_.jobs.push_back(Job{ticket, path_at, data_at, data.size(), offset, mtime, touch_only});
  if (batch_.jobs.size() >= batch_size_) flush();
  return ticket;
}

void BackgroundWriter::flush() {
  if (batch_.jobs.empty()) return;
  queue_.push(std::move(batch_));
  batch_ = Batch();
  batch_.jobs.reserve(batch_size_);
}

void BackgroundWriter::wait_for(uint64_t ticket) {
  if (finished() >= ticket) return;
  flush();
  std::unique_lock<std::mutex> lock(mutex_);
  finished_changed_.wait(lock, [&] { return finished() >= ticket; });
}

std::optional<std::string> BackgroundWriter::take_error(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = errors_.find(ticket);
  if (it == errors_.end()) return std::nullopt;
  std::string error = std::move(it->second);
  errors_.erase(it);
  return error;
}

std::optional<std::string> BackgroundWriter::write_file(const Batch& batch, const Job& job) {
  const char* path = reinterpret_cast<const char*>(batch.bytes.data() + job.path_at);
  FileTimes mtime(job.mtime);
  if (job.touch_only) {
    if (::utimensat(AT_FDCWD, path, mtime.times, AT_SYMLINK_NOFOLLOW) != 0) {
      return describe("cannot set the time", errno);
    }
    return std::nullopt;
  }
  int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return describe("cannot create", errno);
  std::optional<std::string> error;
  const uint8_t* data = batch.bytes.data() + job.data_at;
  size_t left = job.size;
  off_t offset = static_cast<off_t>(job.offset);
  while (left > 0) {
    ssize_t n = ::pwrite(fd, data, left, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = describe("write failed", n < 0 ? errno : ENOSPC);
      break;
    }
    data += n;
    left -= static_cast<size_t>(n);
    offset += n;
  }
  if (!job.mtime.is_zero()) ::futimens(fd, mtime.times);
  if (::close(fd) != 0 && !error) error = describe("close failed", errno);
  return error;
}

void BackgroundWriter::run() {
  while (std::optional<Batch> batch = queue_.pop()) {
    for (const Job& job : batch->jobs) {
      if (std::optional<std::string> error = write_file(*batch, job)) {
        std::lock_guard<std::mutex> lock(mutex_);
        errors_.emplace(job.ticket, std::move(*error));
      }
    }
    uint64_t first = batch->jobs.front().ticket;
    uint64_t last = batch->jobs.back().ticket;
    batch.reset();  // free the bytes before the caller learns the jobs are done
    batch_done(first, last);
  }
}

void BackgroundWriter::batch_done(uint64_t first, uint64_t last) {
  std::lock_guard<std::mutex> lock(mutex_);
  done_beyond_.emplace(first, last);
  uint64_t finished = finished_.load(std::memory_order_relaxed);
  for (auto it = done_beyond_.begin(); it != done_beyond_.end() && it->first == finished + 1;
       it = done_beyond_.erase(it)) {
    finished = it->second;
  }
  // Stored under the lock, so a waiter never misses the wake-up.
  finished_.store(finished, std::memory_order_release);
  finished_changed_.notify_all();
}

}  // namespace tcpflow::output
