#include "output/background_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>

#include "output/file_io.h"
#include "output/write_buffers.h"
#include "util/hash.h"
#include "util/unique_fd.h"

namespace tcpflow::output {

namespace {

// Done batches kept readable (see InFlight): 8 batches of about 384 KiB
// (32 kept C30000 7 MB higher for the odd retransmission read).
constexpr size_t kKeptDoneBatches = 8;
// creator_threads: batches created ahead and waiting for the writer. Two
// keep it busy; more would only hold descriptors and memory.
constexpr size_t kCreatedAheadBatches = 2;
// Bytes beyond holes kept for files compressed while written, shared by the
// writers (a reordered capture keeps a little per flow; a file that needs
// more is staged).
constexpr size_t kBeyondHoleBudget = size_t{32} << 20;
// Bytes gathered into longer streams, shared by the writers. 8 MiB holds
// 500 short flows' first 16 KiB; W1 at scale 1 runs 4% slower with none and
// no faster with 32 MiB, which costs 35 MB more of RSS.
constexpr size_t kGatheringBudget = size_t{8} << 20;

// What a writer kept for the caller under `key`, removed as it is taken.
template <typename Map, typename Key>
std::optional<typename Map::mapped_type> take_from(Map& kept, const Key& key) {
  auto it = kept.find(key);
  if (it == kept.end()) return std::nullopt;
  typename Map::mapped_type value = std::move(it->second);
  kept.erase(it);
  return value;
}

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
  const bool streams = limits.compress_while_writing && limits.compression.codec != Codec::kNone;
  // A creator keeps the files of the batches between it and its writer
  // open before the writer's cache counts them: only with descriptors to
  // spare, which the cache then leaves for them.
  const size_t created_in_flight = (kCreatedAheadBatches + 2) * limits.batch_jobs;
  const size_t capacity = FdCache(max_open).capacity();
  const bool creators =
      limits.creator_threads && !streams && capacity >= 2 * created_in_flight;
  for (size_t i = 0; i < writers; ++i) {
    shards_.push_back(std::make_unique<Shard>(creators ? kCreatedAheadBatches : queue_batches,
                                              max_open, directory_locks_));
    Shard& shard = *shards_.back();
    if (creators) {
      shard.ahead = std::make_unique<BoundedQueue<Batch>>(queue_batches);
      shard.cache.set_capacity(capacity - created_in_flight);
    }
    if (limits.compression.codec != Codec::kNone) {
      shards_.back()->compressor =
          std::make_unique<FileCompressor>(limits.compression, &shards_.back()->hold);
      if (limits.compress_while_writing) {
        shards_.back()->streamer =
            std::make_unique<StreamedCompression>(limits.compression, kBeyondHoleBudget / writers,
                                                  kGatheringBudget / writers);
      }
    }
  }
  for (auto& shard : shards_) {
    shard->batch = fresh_batch();
    Shard* worker_shard = shard.get();
    shard->worker = std::thread([this, worker_shard] { run(*worker_shard); });
    if (shard->ahead) shard->creator = std::thread([this, worker_shard] { run_creator(*worker_shard); });
  }
}

BackgroundWriter::~BackgroundWriter() {
  flush();
  for (auto& shard : shards_) {
    if (!shard->ahead) continue;
    shard->ahead->close();  // the creator passes on what it holds, then stops
    shard->creator.join();
  }
  for (auto& shard : shards_) shard->queue.close();  // each worker drains its queue, then stops
  for (auto& shard : shards_) {
    shard->worker.join();
    for (auto& [ticket, file] : shard->files) {
      shard->cache.forget(file);
      file.evict_fd();
    }
  }
}

size_t BackgroundWriter::shard_for_path(std::string_view path) const {
  // By path: a file created again (a new connection on the same name) goes
  // to the same writer, after the jobs of its earlier life.
  return shards_.size() == 1 ? 0 : hash_text(path) % shards_.size();
}

BackgroundWriter::FileRef BackgroundWriter::create_ref(std::string_view path) {
  const size_t index = shard_for_path(path);
  const uint64_t ticket =
      add(*shards_[index], Kind::kCreate, 0, 0,
          ByteView(reinterpret_cast<const uint8_t*>(path.data()), path.size()), Timestamp{});
  return FileRef{ticket, index};
}

uint64_t BackgroundWriter::create(std::string_view path) {
  const FileRef file = create_ref(path);
  if (shards_.size() > 1) shard_by_file_.emplace(file.id, file.shard);
  return file.id;
}

uint64_t BackgroundWriter::write(uint64_t file, uint64_t offset, ByteView data) {
  return add(shard_of(file, false), Kind::kWrite, file, offset, data, Timestamp{});
}

uint64_t BackgroundWriter::close(uint64_t file, Timestamp mtime) {
  return add(shard_of(file, true), Kind::kClose, file, 0, ByteView(), mtime);
}

uint64_t BackgroundWriter::stage(uint64_t file) {
  return add(shard_of(file, false), Kind::kStage, file, 0, ByteView(), Timestamp{});
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

void BackgroundWriter::forget_done_batches() {
  for (auto& shard : shards_) {
    const uint64_t done = shard->done.load(std::memory_order_acquire);
    while (!shard->in_flight.empty() && shard->in_flight.front().last <= done) {
      kept_done_.push_back(shard->in_flight.front());
      if (kept_done_.size() > kKeptDoneBatches) kept_done_.pop_front();
      shard->in_flight.pop_front();
    }
  }
}

bool BackgroundWriter::still_read(const Batch& batch) const {
  const uint8_t* bytes = batch.bytes.data();
  for (const InFlight& kept : kept_done_) {
    if (kept.bytes == bytes) return true;
  }
  for (const auto& shard : shards_) {
    for (const InFlight& sent : shard->in_flight) {
      if (sent.bytes == bytes) return true;
    }
  }
  return false;
}

BackgroundWriter::Batch BackgroundWriter::fresh_batch() {
  forget_done_batches();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = spares_.rbegin(); it != spares_.rend(); ++it) {
      if (still_read(*it)) continue;
      Batch batch = std::move(*it);
      spares_.erase(std::next(it).base());
      return batch;
    }
  }
  Batch batch;
  batch.jobs.reserve(limits_.batch_jobs);
  // The job that fills a batch past batch_bytes is mostly a flow file
  // sink's buffer: room for the largest keeps that job from reallocating.
  batch.bytes.reserve(limits_.batch_bytes + WriteBuffers::kLargeBufferSize);
  return batch;
}

void BackgroundWriter::flush(Shard& shard) {
  if (shard.batch.jobs.empty()) return;
  shard.in_flight.push_back(InFlight{shard.batch.jobs.front().ticket, shard.batch.jobs.back().ticket,
                                    shard.batch.jobs.data(), shard.batch.jobs.size(),
                                    shard.batch.bytes.data()});
  if (shard.ahead) {
    shard.ahead->push(std::move(shard.batch));
  } else {
    shard.queue.push(std::move(shard.batch));
  }
  shard.batch = fresh_batch();
}

void BackgroundWriter::flush() {
  for (auto& shard : shards_) flush(*shard);
}

uint64_t BackgroundWriter::finished() {
  // Every ticket below a writer's oldest unfinished job is done as far as
  // that writer is concerned; below the smallest such job, for all of them.
  uint64_t first_pending = submitted_ + 1;
  forget_done_batches();
  for (auto& shard : shards_) {
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

size_t BackgroundWriter::created_ahead() const {
  size_t sum = 0;
  for (const auto& shard : shards_) sum += shard->created_ahead.load(std::memory_order_relaxed);
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
  return take_from(errors_, ticket);
}

std::optional<WrittenDigest> BackgroundWriter::take_digest(uint64_t ticket) {
  std::lock_guard<std::mutex> lock(mutex_);
  return take_from(digests_, ticket);
}

std::optional<CompressedFile> BackgroundWriter::take_compressed(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  return take_from(compressed_, path);
}

int BackgroundWriter::reopen(Shard& shard, OpenFile& file) {
  if (file.fd >= 0) {
    shard.cache.touch(file);
    return file.fd;
  }
  file.fd = shard.cache.open(file, file.on_disk(), kReopenFlags, 0);
  if (file.fd < 0) file.error = describe_error("cannot reopen", errno);
  return file.fd;
}

// What is compressed so far becomes the plain file, which takes the rest.
bool BackgroundWriter::stage_file(Shard& shard, OpenFile& file) {
  UniqueFd compressed(::open(file.on_disk().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (compressed.get() < 0) {
    file.error = describe_error("cannot read back", errno);
    return false;
  }
  if (file.fd >= 0) {
    shard.cache.forget(file);
    file.evict_fd();
  }
  shard.hold.hold_parent_of(file.path);
  file.fd = shard.cache.open(file, file.path, kCreateFlags, 0644);
  shard.hold.release();  // staging copies the whole file
  if (file.fd < 0) {
    file.error = describe_error("cannot create", errno);
    return false;
  }
  if (!shard.streamer->stage(file.streamed->state, compressed.get(), file.fd, file.error)) {
    return false;
  }
  shard.hold.hold_parent_of(file.path);
  ::unlink(file.streamed->on_disk.c_str());
  file.streamed.reset();
  return true;
}

void BackgroundWriter::write_file(Shard& shard, OpenFile& file, const uint8_t* data, size_t size,
                                  uint64_t offset) {
  if (!file.error.empty() || reopen(shard, file) < 0) return;
  if (file.streamed) {
    auto outcome = shard.streamer->write(file.streamed->state, file.fd, ByteView(data, size),
                                         offset, file.error);
    if (outcome == StreamedCompression::Outcome::kWritten) return;
    if (outcome == StreamedCompression::Outcome::kFailed || !stage_file(shard, file)) return;
  }
  if (int err = write_fully(file.fd, data, size, offset)) {
    file.error = describe_error("write failed", err);
    return;
  }
  if (file.md5) {
    if (offset == file.digested) {
      shard.digests.add(*file.md5, ByteView(data, size));  // the batch outlives the queue
      file.digested += size;
    } else {
      shard.digests.drain();  // nothing queued may refer to it
      file.md5.reset();
    }
  }
}

void BackgroundWriter::finish_streamed(Shard& shard, OpenFile& file) {
  if (file.error.empty() && reopen(shard, file) >= 0) {
    shard.streamer->finish(file.streamed->state, file.fd, file.error);
  }
}

void BackgroundWriter::close_file(Shard& shard, const Job& job, OpenFile& file) {
  uint64_t original = 0, compressed = 0;
  if (file.streamed) {
    finish_streamed(shard, file);
    original = file.streamed->state.next;
    compressed = file.streamed->state.compressed;
    shard.streamer->forget(file.streamed->state);
  }
  if (file.fd >= 0) shard.cache.forget(file);
  int close_error =
      close_stamped(file.fd, file.on_disk().c_str(), file.created ? job.mtime : Timestamp{});
  if (close_error != 0 && file.error.empty()) file.error = describe_error("close failed", close_error);
  file.fd = -1;
  if (!file.error.empty()) {
    if (file.md5) shard.digests.drain();  // nothing queued may refer to it
    std::lock_guard<std::mutex> lock(mutex_);
    errors_.emplace(job.ticket, std::move(file.error));
    return;
  }
  if (file.md5 && file.created) {
    shard.closed_digests.push_back(
        Shard::ClosedDigest{job.ticket, std::move(file.md5), file.digested});
  }
  if (!shard.compressor || !file.created) return;
  CompressedFile packed;
  if (file.streamed) {
    packed.ok = true;
    packed.path = file.on_disk();
    packed.original = original;
    packed.compressed = compressed;
    packed.plain_left = false;  // never written; an earlier run's went at creation
  } else {
    packed = shard.compressor->compress(file.path);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  compressed_.insert_or_assign(std::move(file.path), std::move(packed));
}

void BackgroundWriter::run_job(Shard& shard, const Batch& batch, const Job& job) {
  const uint8_t* bytes = batch.bytes.data() + job.at;
  if (job.kind == Kind::kCreate) {
    if (shard.files.count(job.file) == 0) {  // else created ahead
      create_file(shard, job, reinterpret_cast<const char*>(bytes));
    }
    return;
  }
  auto it = shard.files.find(job.file);
  if (it == shard.files.end()) return;  // not created through this writer: nothing to do
  if (job.kind == Kind::kWrite) {
    write_file(shard, it->second, bytes, job.size, job.offset);
    return;
  }
  if (job.kind == Kind::kStage) {
    if (it->second.streamed && it->second.error.empty()) stage_file(shard, it->second);
    return;
  }
  close_file(shard, job, it->second);
  shard.files.erase(it);
}

// Batches written wait for their files' digests before they are done: with
// -e md5 one is kept back while more wait, until eight files have bytes to
// hash (W1 writes 128 KiB at a time, about two per batch, and one file's
// bytes go through one lane). Not longer: the bytes are hashed while still
// in the cache (holding 4 MB cost W1 10% more CPU). Never while the queue
// is empty, so a caller waiting on a job is never kept waiting for more.
void BackgroundWriter::run(Shard& shard) {
  constexpr size_t kHeldBatches = 8;
  std::vector<Batch> written;
  while (std::optional<Batch> batch = shard.queue.pop()) {
    run_batch(shard, *batch);
    written.push_back(std::move(*batch));
    if (limits_.digest_md5 && shard.digests.streams() < Md5Lanes::kLanes &&
        written.size() < kHeldBatches && shard.queue.has_items()) {
      continue;
    }
    finish_digests(shard);
    for (Batch& done : written) batch_done(shard, std::move(done));
    written.clear();
  }
}

void BackgroundWriter::run_batch(Shard& shard, const Batch& batch) {
  if (shard.ahead) {
    size_t next = 0;  // the creator's descriptors, in create order
    for (const Job& job : batch.jobs) {
      if (job.kind == Kind::kCreate && next < batch.created.size() &&
          batch.created[next].first == job.ticket) {
        adopt_created(shard, job, reinterpret_cast<const char*>(batch.bytes.data() + job.at),
                      batch.created[next++].second);
        continue;
      }
      run_job(shard, batch, job);
    }
  } else {
    create_ahead(shard, batch);
    for (const Job& job : batch.jobs) run_job(shard, batch, job);
  }
  shard.hold.release();
  shard.peak_open.store(shard.cache.peak_open(), std::memory_order_relaxed);
  shard.evictions.store(shard.cache.evictions(), std::memory_order_relaxed);
}

void BackgroundWriter::finish_digests(Shard& shard) {
  shard.digests.drain();
  if (shard.closed_digests.empty()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  for (Shard::ClosedDigest& closed : shard.closed_digests) {
    digests_.emplace(closed.ticket, WrittenDigest{closed.md5->hex_digest(), closed.size});
  }
  shard.closed_digests.clear();
}

void BackgroundWriter::batch_done(Shard& shard, Batch batch) {
  uint64_t last = batch.jobs.back().ticket;
  batch.jobs.clear();
  batch.bytes.clear();
  batch.created.clear();
  std::lock_guard<std::mutex> lock(mutex_);
  spares_.push_back(std::move(batch));
  // Stored under the lock, so a waiter never misses the wake-up.
  shard.done.store(last, std::memory_order_release);
  finished_changed_.notify_all();
}

}  // namespace tcpflow::output
