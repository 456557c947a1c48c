#include "output/background_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "output/file_io.h"
#include "output/write_buffers.h"
#include "util/hash.h"

namespace tcpflow::output {

namespace {

constexpr int kCreateFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
constexpr int kReopenFlags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;  // in place, after an eviction

}  // namespace

void BackgroundWriter::OpenFile::evict_fd() {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

BackgroundWriter::BackgroundWriter(const Limits& limits) : limits_(limits) {
  const size_t writers = std::max<size_t>(1, limits.writers);
  // The descriptor budget and the bytes in flight are shared out, so more
  // writers use no more of either.
  const size_t max_open = limits.max_open ? std::max<size_t>(1, limits.max_open / writers) : 0;
  const size_t queue_batches = std::max<size_t>(2, limits.queue_batches / writers);
  for (size_t i = 0; i < writers; ++i) {
    shards_.push_back(std::make_unique<Shard>(queue_batches, max_open));
  }
  for (auto& shard : shards_) {
    shard->batch = fresh_batch();
    Shard* worker_shard = shard.get();
    shard->worker = std::thread([this, worker_shard] { run(*worker_shard); });
  }
}

BackgroundWriter::~BackgroundWriter() {
  flush();
  for (auto& shard : shards_) shard->queue.close();  // each worker drains its queue, then stops
  for (auto& shard : shards_) {
    shard->worker.join();
    for (auto& [ticket, file] : shard->files) {
      shard->cache.forget(file);
      file.evict_fd();
    }
  }
}

uint64_t BackgroundWriter::create(std::string_view path) {
  size_t index = shards_.size() == 1 ? 0 : hash_text(path) % shards_.size();
  uint64_t ticket = add(*shards_[index], Kind::kCreate, 0, 0,
                        ByteView(reinterpret_cast<const uint8_t*>(path.data()), path.size()),
                        Timestamp{});
  if (shards_.size() > 1) shard_by_file_.emplace(ticket, index);
  return ticket;
}

uint64_t BackgroundWriter::write(uint64_t file, uint64_t offset, ByteView data) {
  return add(shard_of(file, false), Kind::kWrite, file, offset, data, Timestamp{});
}

uint64_t BackgroundWriter::close(uint64_t file, Timestamp mtime) {
  return add(shard_of(file, true), Kind::kClose, file, 0, ByteView(), mtime);
}

BackgroundWriter::Shard& BackgroundWriter::shard_of(uint64_t file, bool forget) {
  if (shards_.size() == 1) return *shards_[0];
  auto it = shard_by_file_.find(file);
  // A file never created through this writer: any writer ignores its jobs.
  if (it == shard_by_file_.end()) return *shards_[0];
  Shard& shard = *shards_[it->second];
  if (forget) shard_by_file_.erase(it);
  return shard;
}

uint64_t BackgroundWriter::add(Shard& shard, Kind kind, uint64_t file, uint64_t offset,
                               ByteView data, Timestamp mtime) {
  uint64_t ticket = ++submitted_;
  std::vector<uint8_t>& bytes = shard.batch.bytes;
  size_t at = bytes.size();
  bytes.insert(bytes.end(), data.begin(), data.end());
  if (kind == Kind::kCreate) bytes.push_back(0);
  shard.batch.jobs.push_back(Job{ticket, kind == Kind::kCreate ? ticket : file, kind, at,
                                 data.size(), offset, mtime});
  if (shard.batch.jobs.size() >= limits_.batch_jobs || bytes.size() >= limits_.batch_bytes) {
    flush(shard);
  }
  return ticket;
}

BackgroundWriter::Batch BackgroundWriter::fresh_batch() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!spares_.empty()) {
      Batch batch = std::move(spares_.back());
      spares_.pop_back();
      return batch;
    }
  }
  Batch batch;
  batch.jobs.reserve(limits_.batch_jobs);
  batch.bytes.reserve(limits_.batch_bytes + WriteBuffers::kLargeBufferSize);
  return batch;
}

void BackgroundWriter::flush(Shard& shard) {
  if (shard.batch.jobs.empty()) return;
  shard.in_flight.emplace_back(shard.batch.jobs.front().ticket, shard.batch.jobs.back().ticket);
  shard.queue.push(std::move(shard.batch));
  shard.batch = fresh_batch();
}

void BackgroundWriter::flush() {
  for (auto& shard : shards_) flush(*shard);
}

uint64_t BackgroundWriter::finished() {
  // Every ticket below a writer's oldest unfinished job is done as far as
  // that writer is concerned; below the smallest such job, for all of them.
  uint64_t first_pending = submitted_ + 1;
  for (auto& shard : shards_) {
    const uint64_t done = shard->done.load(std::memory_order_acquire);
    while (!shard->in_flight.empty() && shard->in_flight.front().second <= done) {
      shard->in_flight.pop_front();
    }
    if (!shard->in_flight.empty()) {
      first_pending = std::min(first_pending, shard->in_flight.front().first);
    } else if (!shard->batch.jobs.empty()) {
      first_pending = std::min(first_pending, shard->batch.jobs.front().ticket);
    }
  }
  return first_pending - 1;
}

size_t BackgroundWriter::peak_open() const {
  size_t sum = 0;
  for (const auto& shard : shards_) sum += shard->peak_open.load(std::memory_order_relaxed);
  return sum;
}

size_t BackgroundWriter::evictions() const {
  size_t sum = 0;
  for (const auto& shard : shards_) sum += shard->evictions.load(std::memory_order_relaxed);
  return sum;
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

void BackgroundWriter::create_file(Shard& shard, const Job& job, const char* path) {
  OpenFile& file = shard.files[job.file];
  file.path = path;
  file.fd = shard.cache.open(file, file.path, kCreateFlags, 0644);
  if (file.fd < 0) {
    file.error = describe_error("cannot create", errno);
  } else {
    file.created = true;
  }
}

void BackgroundWriter::write_file(Shard& shard, OpenFile& file, const uint8_t* data, size_t size,
                                  uint64_t offset) {
  if (!file.error.empty()) return;
  if (file.fd >= 0) {
    shard.cache.touch(file);
  } else if ((file.fd = shard.cache.open(file, file.path, kReopenFlags, 0)) < 0) {
    file.error = describe_error("cannot reopen", errno);
    return;
  }
  if (int err = write_fully(file.fd, data, size, offset)) file.error = describe_error("write failed", err);
}

void BackgroundWriter::close_file(Shard& shard, const Job& job, OpenFile& file) {
  if (file.fd >= 0) shard.cache.forget(file);
  int close_error = close_stamped(file.fd, file.path.c_str(), file.created ? job.mtime : Timestamp{});
  if (close_error != 0 && file.error.empty()) file.error = describe_error("close failed", close_error);
  file.fd = -1;
  if (!file.error.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_.emplace(job.ticket, std::move(file.error));
  }
}

void BackgroundWriter::run_job(Shard& shard, const Batch& batch, const Job& job) {
  const uint8_t* bytes = batch.bytes.data() + job.at;
  if (job.kind == Kind::kCreate) {
    create_file(shard, job, reinterpret_cast<const char*>(bytes));
    return;
  }
  auto it = shard.files.find(job.file);
  if (it == shard.files.end()) return;  // not created through this writer: nothing to do
  if (job.kind == Kind::kWrite) {
    write_file(shard, it->second, bytes, job.size, job.offset);
    return;
  }
  close_file(shard, job, it->second);
  shard.files.erase(it);
}

void BackgroundWriter::run(Shard& shard) {
  while (std::optional<Batch> batch = shard.queue.pop()) {
    for (const Job& job : batch->jobs) run_job(shard, *batch, job);
    shard.peak_open.store(shard.cache.peak_open(), std::memory_order_relaxed);
    shard.evictions.store(shard.cache.evictions(), std::memory_order_relaxed);
    batch_done(shard, std::move(*batch));
  }
}

void BackgroundWriter::batch_done(Shard& shard, Batch batch) {
  uint64_t last = batch.jobs.back().ticket;
  batch.jobs.clear();
  batch.bytes.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  spares_.push_back(std::move(batch));
  // Stored under the lock, so a waiter never misses the wake-up.
  shard.done.store(last, std::memory_order_release);
  finished_changed_.notify_all();
}

}  // namespace tcpflow::output
