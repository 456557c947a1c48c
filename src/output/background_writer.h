// Does every system call on flow files for the packet thread, on threads of
// its own: creating, writing, timestamping and closing. The packet thread
// only copies bytes into a batch. This takes the file work (most of a run's
// time: a million short connections are two million files) off the packet
// thread.
//
// Jobs on one path run in submission order, so the writes to a file follow
// its creation and precede its close; finished() names the last ticket
// before which every job is done. With several writers (Limits::writers),
// each path belongs to one of them by its hash: files are created in
// parallel, which on a disk file system, where a creation is mostly the
// file system's own work and waiting, makes file-heavy runs 20-30% faster;
// and two files that share a path still run in order. A file's failure (it
// could not be created, a write failed) stops the writes to it and is kept,
// under the ticket of its close job, for the caller to take.
//
// Each writer keeps the files it has open in an FdCache of its own, within
// its share of the descriptor budget, and reopens evicted ones in place.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
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
    size_t max_open = 0;         // descriptors, shared by the writers; 0: the process limit
    size_t batch_jobs = 256;     // jobs handed over together...
    size_t batch_bytes = 256 << 10;  // ...or fewer, once they carry this many bytes
    size_t queue_batches = 16;   // submitting blocks beyond this many waiting batches
    size_t writers = 1;          // threads; a path always goes to the same one
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

  // Hands the current batches over however small they are.
  void flush();
  // Every ticket up to this one has finished. Like every call here, only
  // for the submitting thread.
  uint64_t finished();
  uint64_t submitted() const { return submitted_; }
  // Flushes and blocks until `ticket` (and so every earlier one) has finished.
  void wait_for(uint64_t ticket);
  // The failure kept under a finished close job ("cannot create: No space
  // left on device"), removed as it is taken; nothing when the file is whole.
  std::optional<std::string> take_error(uint64_t ticket);

  // The writers' descriptor figures, for the run summary.
  size_t peak_open() const;
  size_t evictions() const;

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
  // A file a writer has created and not yet closed.
  struct OpenFile : FdCache::Client {
    int fd = -1;
    bool created = false;
    std::string path;
    std::string error;  // the first failure; the file gets no more writes
    void evict_fd() override;
  };
  // One writer thread with the files whose paths hash to it. Jobs on one
  // path run in submission order; jobs on different writers in any order.
  struct Shard {
    Shard(size_t queue_batches, size_t max_open) : queue(queue_batches), cache(max_open) {}
    BoundedQueue<Batch> queue;
    // The submitting thread's: the batch being filled, and the first and
    // last tickets of the batches handed over and not known to be done.
    Batch batch;
    std::deque<std::pair<uint64_t, uint64_t>> in_flight;
    std::atomic<uint64_t> done{0};  // the last ticket of the last batch finished
    // The worker's own.
    FdCache cache;
    std::unordered_map<uint64_t, OpenFile> files;
    std::atomic<size_t> peak_open{0};
    std::atomic<size_t> evictions{0};
    std::thread worker;
  };

  uint64_t add(Shard& shard, Kind kind, uint64_t file, uint64_t offset, ByteView data,
               Timestamp mtime);
  Shard& shard_of(uint64_t file, bool forget);
  void flush(Shard& shard);
  Batch fresh_batch();
  void run(Shard& shard);
  void run_job(Shard& shard, const Batch& batch, const Job& job);
  void create_file(Shard& shard, const Job& job, const char* path);
  void write_file(Shard& shard, OpenFile& file, const uint8_t* data, size_t size,
                  uint64_t offset);
  void close_file(Shard& shard, const Job& job, OpenFile& file);
  void batch_done(Shard& shard, Batch batch);

  const Limits limits_;
  uint64_t submitted_ = 0;  // the submitting thread's, like shard_by_file_
  // With several writers, the writer of each file not yet closed.
  std::unordered_map<uint64_t, size_t> shard_by_file_;
  std::mutex mutex_;  // guards errors_, spares_ and the wait below
  std::condition_variable finished_changed_;
  std::unordered_map<uint64_t, std::string> errors_;
  // Batches a worker is done with, emptied, their memory kept for reuse.
  std::vector<Batch> spares_;
  std::vector<std::unique_ptr<Shard>> shards_;  // last: their workers start once all is built
};

}  // namespace tcpflow::output
