// Writes whole small flow files on a thread of its own. A million short
// connections mean two million files, and creating, writing, timestamping
// and closing each one costs four system calls that the packet thread
// would otherwise wait for; handed here, they run on the second core.
//
// Jobs finish in the order they were submitted (one worker, one queue), so
// the caller can deliver its per-flow results in close order by comparing
// tickets with finished(). A job's failure is kept for the caller to take.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "util/bounded_queue.h"
#include "util/timestamp.h"

namespace tcpflow::output {

class BackgroundWriter {
 public:
  // A complete file: `size` bytes at `offset` (the bytes before it stay a
  // hole), then the mtime (none when zero). The file is created or truncated.
  struct Job {
    std::string path;
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
    uint64_t offset = 0;
    Timestamp mtime;
  };

  // Jobs are handed over in batches of `batch_size`, so the two threads meet
  // (a lock, often a wake-up) once per batch rather than once per file. At
  // most `queue_batches` batches wait; submit() blocks beyond that, which
  // also bounds the memory the waiting files' bytes hold.
  BackgroundWriter(size_t batch_size, size_t queue_batches);
  ~BackgroundWriter();  // finishes every submitted job
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  // Returns the job's ticket: 1, 2, 3, ... in submission order. The job may
  // wait in the current batch until it fills or flush() is called.
  uint64_t submit(Job job);
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
  struct Ticketed {
    uint64_t ticket;
    Job job;
  };
  void run();
  static std::optional<std::string> write_file(const Job& job);

  using Batch = std::vector<Ticketed>;

  const size_t batch_size_;
  BoundedQueue<Batch> queue_;
  Batch batch_;             // the submitting thread's only, like submitted_
  uint64_t submitted_ = 0;
  std::atomic<uint64_t> finished_{0};
  std::mutex mutex_;  // guards errors_ and the wait below
  std::condition_variable finished_changed_;
  std::unordered_map<uint64_t, std::string> errors_;
  std::thread worker_;
};

}  // namespace tcpflow::output
