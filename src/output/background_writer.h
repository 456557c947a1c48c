// Writes whole small flow files on threads of their own. A million short
// connections mean two million files, and creating, writing, timestamping
// and closing each one costs four system calls that the packet thread
// would otherwise wait for; handed here, they run on the other cores. Two
// workers create files in one directory almost twice as fast as one (on
// tmpfs the directory lock is held only briefly per file).
//
// Workers may finish batches out of order, but finished() only ever names a
// ticket when it and every earlier one are done, so the caller can deliver
// its per-flow results in close order. A job's failure is kept for the
// caller to take. Each path must be submitted once: workers do not order
// jobs on the same file.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "util/bounded_queue.h"
#include "util/byte_view.h"
#include "util/timestamp.h"

namespace tcpflow::output {

class BackgroundWriter {
 public:
  // Jobs are handed over in batches of `batch_size`, so the two threads meet
  // (a lock, often a wake-up) once per batch rather than once per file. At
  // most `queue_batches` batches wait; submit() blocks beyond that, which
  // also bounds the memory the waiting files' bytes hold.
  BackgroundWriter(size_t workers, size_t batch_size, size_t queue_batches);
  ~BackgroundWriter();  // finishes every submitted job
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  // A complete file: `data` at `offset` (the bytes before it stay a hole),
  // then the mtime (none when zero); the file is created or truncated.
  // Copies the path and bytes (into the batch's own memory, so neither
  // thread allocates per file) and returns the job's ticket: 1, 2, 3, ... in
  // submission order. The job may wait in the current batch until it fills
  // or flush() is called.
  uint64_t submit(std::string_view path, ByteView data, uint64_t offset, Timestamp mtime);
  // Sets the mtime of a file an earlier job created. Jobs may run in any
  // order across workers: the caller waits for that earlier job first.
  uint64_t touch(std::string_view path, Timestamp mtime);
  // Hands the current batch over however small it is.
  void flush();
  // Every ticket up to this one has finished.
  uint64_t finished() const { return finished_.load(std::memory_order_acquire); }
  uint64_t submitted() const { return submitted_; }
  // Flushes and blocks until `ticket` (and so every earlier one) has finished.
  void wait_for(uint64_t ticket);
  // The failure of a finished job ("cannot create: No space left on device"),
  // removed as it is taken; nothing when the job succeeded.
  std::optional<std::string> take_error(uint64_t ticket);

 private:
  // Where a job's path (NUL-terminated) and bytes sit in its batch's memory.
  struct Job {
    uint64_t ticket;
    size_t path_at;
    size_t data_at;
    size_t size;
    uint64_t offset;
    Timestamp mtime;
    bool touch_only;
  };
  struct Batch {
    std::vector<Job> jobs;
    std::vector<uint8_t> bytes;
  };

  void run();
  void batch_done(uint64_t first, uint64_t last);
  uint64_t add(std::string_view path, ByteView data, uint64_t offset, Timestamp mtime,
               bool touch_only);
  static std::optional<std::string> write_file(const Batch& batch, const Job& job);

  const size_t batch_size_;
  BoundedQueue<Batch> queue_;
  Batch batch_;  // being filled: the submitting thread's only, like submitted_
  uint64_t submitted_ = 0;
  std::atomic<uint64_t> finished_{0};
  std::mutex mutex_;  // guards errors_, done_beyond_ and the wait below
  std::condition_variable finished_changed_;
  std::unordered_map<uint64_t, std::string> errors_;
  std::map<uint64_t, uint64_t> done_beyond_;  // finished batches past finished_: first -> last
  std::vector<std::thread> workers_;
};

}  // namespace tcpflow::output
