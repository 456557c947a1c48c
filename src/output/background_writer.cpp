#include "output/background_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "output/file_io.h"

namespace tcpflow::output {

namespace {

std::string describe(const char* what, int err) { return std::string(what) + ": " + std::strerror(err); }

constexpr int kCreateFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
constexpr int kReopenFlags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;  // in place, after an eviction

}  // namespace

void BackgroundWriter::OpenFile::evict_fd() {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

BackgroundWriter::BackgroundWriter(const Limits& limits)
    : limits_(limits),
      queue_(limits.queue_batches),
      cache_(limits.max_open),
      worker_([this] { run(); }) {
  start_batch();
}

BackgroundWriter::~BackgroundWriter() {
  flush();
  queue_.close();  // the worker drains what is queued, then stops
  worker_.join();
  for (auto& [ticket, file] : files_) {
    cache_.forget(file);
    file.evict_fd();
  }
}

uint64_t BackgroundWriter::create(std::string_view path) {
  return add(Kind::kCreate, 0, 0, ByteView(reinterpret_cast<const uint8_t*>(path.data()), path.size()),
             Timestamp{});
}

uint64_t BackgroundWriter::write(uint64_t file, uint64_t offset, ByteView data) {
  return add(Kind::kWrite, file, offset, data, Timestamp{});
}

uint64_t BackgroundWriter::close(uint64_t file, Timestamp mtime) {
  return add(Kind::kClose, file, 0, ByteView(), mtime);
}

uint64_t BackgroundWriter::add(Kind kind, uint64_t file, uint64_t offset, ByteView data,
                               Timestamp mtime) {
  uint64_t ticket = ++submitted_;
  std::vector<uint8_t>& bytes = batch_.bytes;
  size_t at = bytes.size();
  bytes.insert(bytes.end(), data.begin(), data.end());
  if (kind == Kind::kCreate) bytes.push_back(0);
  batch_.jobs.push_back(Job{ticket, kind == Kind::kCreate ? ticket : file, kind, at, data.size(),
                            offset, mtime});
  if (batch_.jobs.size() >= limits_.batch_jobs || bytes.size() >= limits_.batch_bytes) flush();
  return ticket;
}

void BackgroundWriter::start_batch() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!spares_.empty()) {
      batch_ = std::move(spares_.back());
      spares_.pop_back();
      return;
    }
  }
  batch_ = Batch();
  batch_.jobs.reserve(limits_.batch_jobs);
  batch_.bytes.reserve(limits_.batch_bytes + FdCache::kBufferSize);
}

void BackgroundWriter::flush() {
  if (batch_.jobs.empty()) return;
  queue_.push(std::move(batch_));
  start_batch();
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

void BackgroundWriter::create_file(const Job& job, const char* path) {
  OpenFile& file = files_[job.file];
  file.path = path;
  file.fd = cache_.open(file, file.path, kCreateFlags, 0644);
  if (file.fd < 0) {
    file.error = describe("cannot create", errno);
  } else {
    file.created = true;
  }
}

void BackgroundWriter::write_file(OpenFile& file, const uint8_t* data, size_t size,
                                  uint64_t offset) {
  if (!file.error.empty()) return;
  if (file.fd >= 0) {
    cache_.touch(file);
  } else if ((file.fd = cache_.open(file, file.path, kReopenFlags, 0)) < 0) {
    file.error = describe("cannot reopen", errno);
    return;
  }
  if (int err = write_fully(file.fd, data, size, offset)) file.error = describe("write failed", err);
}

void BackgroundWriter::close_file(const Job& job, OpenFile& file) {
  if (file.fd >= 0) cache_.forget(file);
  int close_error = close_stamped(file.fd, file.path.c_str(), file.created ? job.mtime : Timestamp{});
  if (close_error != 0 && file.error.empty()) file.error = describe("close failed", close_error);
  file.fd = -1;
  if (!file.error.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_.emplace(job.ticket, std::move(file.error));
  }
}

void BackgroundWriter::run_job(const Batch& batch, const Job& job) {
  const uint8_t* bytes = batch.bytes.data() + job.at;
  if (job.kind == Kind::kCreate) {
    create_file(job, reinterpret_cast<const char*>(bytes));
    return;
  }
  auto it = files_.find(job.file);
  if (it == files_.end()) return;  // not created through this writer: nothing to do
  if (job.kind == Kind::kWrite) {
    write_file(it->second, bytes, job.size, job.offset);
    return;
  }
  close_file(job, it->second);
  files_.erase(it);
}

void BackgroundWriter::run() {
  while (std::optional<Batch> batch = queue_.pop()) {
    for (const Job& job : batch->jobs) run_job(*batch, job);
    peak_open_.store(cache_.peak_open(), std::memory_order_relaxed);
    evictions_.store(cache_.evictions(), std::memory_order_relaxed);
    batch_done(std::move(*batch));
  }
}

void BackgroundWriter::batch_done(Batch batch) {
  uint64_t last = batch.jobs.back().ticket;
  batch.jobs.clear();
  batch.bytes.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  spares_.push_back(std::move(batch));
  // Stored under the lock, so a waiter never misses the wake-up.
  finished_.store(last, std::memory_order_release);
  finished_changed_.notify_all();
}

}  // namespace tcpflow::output
