// Does every system call on flow files for the packet thread, on a thread of
// its own: creating, writing, timestamping and closing. The packet thread
// only copies bytes into a batch. This takes the file work (most of a run's
// time: a million short connections are two million files) off the packet
// thread, and leaves one thread creating files in the output directory, so
// the two never spin on its lock (with both creating, a quarter of W1's CPU
// time went to that spinning).
//
// Jobs run in submission order, so the writes to a file follow its creation
// and precede its close, and finished() names the last job done. A file's
// failure (it could not be created, a write failed) stops the writes to it
// and is kept, under the ticket of its close job, for the caller to take.
//
// The writer keeps the files it has open in an FdCache of its own, within
// the descriptor budget it is given, and reopens evicted ones in place.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "output/fd_cache.h"
#include "util/bounded_queue.h"
#include "util/byte_view.h"
#include "util/timestamp.h"

namespace tcpflow::output {

class BackgroundWriter {
 public:
  struct Limits {
    size_t max_open = 0;         // descriptors; 0: the process limit (see FdCache)
    size_t batch_jobs = 256;     // jobs handed over together...
    size_t batch_bytes = 256 << 10;  // ...or fewer, once they carry this many bytes
    size_t queue_batches = 16;   // submitting blocks beyond this many waiting batches
  };
  // The threads meet (a lock, often a wake-up) once per batch rather than
  // once per job. The queue bound also bounds the memory of bytes in flight.
  explicit BackgroundWriter(const Limits& limits);
  ~BackgroundWriter();  // finishes every submitted job, closes every file
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  // Each returns the job's ticket: 1, 2, 3, ... in submission order. A job
  // may wait in the current batch until it fills or flush() is called.
  //
  // Creates (or truncates) `path`. The ticket names the file in later jobs.
  uint64_t create(std::string_view path);
  // Writes `data` at `offset` (copied: the caller's memory is free at once).
  uint64_t write(uint64_t file, uint64_t offset, ByteView data);
  // Sets the file's mtime (unless zero) and closes it. A failure of any job
  // on the file is kept under this ticket.
  uint64_t close(uint64_t file, Timestamp mtime);

  // Hands the current batch over however small it is.
  void flush();
  // Every ticket up to this one has finished.
  uint64_t finished() const { return finished_.load(std::memory_order_acquire); }
  uint64_t submitted() const { return submitted_; }
  // Flushes and blocks until `ticket` (and so every earlier one) has finished.
  void wait_for(uint64_t ticket);
  // The failure kept under a finished close job ("cannot create: No space
  // left on device"), removed as it is taken; nothing when the file is whole.
  std::optional<std::string> take_error(uint64_t ticket);

  // The writer's descriptor figures, for the run summary.
  size_t peak_open() const { return peak_open_.load(std::memory_order_relaxed); }
  size_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

 private:
  enum class Kind : uint8_t { kCreate, kWrite, kClose };
  // A job's path (NUL-terminated) or bytes sit in its batch's memory at `at`.
  struct Job {
    uint64_t ticket;
    uint64_t file;
    Kind kind;
    size_t at;
    size_t size;
    uint64_t offset;
    Timestamp mtime;
  };
  struct Batch {
    std::vector<Job> jobs;
    std::vector<uint8_t> bytes;
  };
  // A file the writer has created and not yet closed.
  struct OpenFile : FdCache::Client {
    int fd = -1;
    bool created = false;
    std::string path;
    std::string error;  // the first failure; the file gets no more writes
    void evict_fd() override;
  };

  uint64_t add(Kind kind, uint64_t file, uint64_t offset, ByteView data, Timestamp mtime);
  void start_batch();
  void run();
  void run_job(const Batch& batch, const Job& job);
  void create_file(const Job& job, const char* path);
  void write_file(OpenFile& file, const uint8_t* data, size_t size, uint64_t offset);
  void close_file(const Job& job, OpenFile& file);
  void batch_done(Batch batch);

  const Limits limits_;
  BoundedQueue<Batch> queue_;
  Batch batch_;  // being filled: the submitting thread's only, like submitted_
  uint64_t submitted_ = 0;
  std::atomic<uint64_t> finished_{0};
  std::mutex mutex_;  // guards errors_, spares_ and the wait below
  std::condition_variable finished_changed_;
  std::unordered_map<uint64_t, std::string> errors_;
  // Batches the worker is done with, emptied, their memory kept for reuse:
  // at most queue_batches + 1 of them ever exist.
  std::vector<Batch> spares_;
  // The worker's own.
  FdCache cache_;
  std::unordered_map<uint64_t, OpenFile> files_;
  std::atomic<size_t> peak_open_{0};
  std::atomic<size_t> evictions_{0};
  std::thread worker_;  // last: it starts once everything above is built
};

}  // namespace tcpflow::output
