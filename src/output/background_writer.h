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
#include <fcntl.h>

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

#include "output/directory_locks.h"
#include "output/fd_cache.h"
#include "output/file_writer.h"
#include "output/file_compressor.h"
#include "output/streamed_compression.h"
#include "util/bounded_queue.h"
#include "util/byte_view.h"
#include "util/hash.h"
#include "util/md5_lanes.h"
#include "util/timestamp.h"

namespace tcpflow::output {

class BackgroundWriter {
 public:
  struct Limits {
    size_t max_open = 0;         // descriptors, shared by the writers; 0: the process limit
    size_t batch_jobs = 256;     // jobs handed over together...
    size_t batch_bytes = 256 << 10;  // ...or fewer, once they carry this many bytes
    size_t queue_batches = 8;    // submitting blocks beyond this many waiting batches
    size_t writers = 1;          // threads; a path always goes to the same one
    // --compress: each close job also compresses the closed file (the
    // compression is most of such a run's work: it runs beside the packet
    // thread this way, and on every writer).
    CompressionOptions compression;
    // ...or, when nothing reads the plain files, compresses each file as
    // it is written (output/streamed_compression): no plain file at all.
    bool compress_while_writing = false;
    // ...and then removes a plain NAME an earlier run left (not needed
    // when the output directory was empty: a lookup per file saved).
    bool remove_earlier_plain = true;
    // -e md5: each file's MD5, taken as its bytes are written in order (the
    // bytes are at hand then, and two writers share the hashing), so the
    // scanner need not read the file back (take_digest).
    bool digest_md5 = false;
    // Each writer gets a second thread that creates the files of a batch
    // before the writer reaches it (not with compress_while_writing).
    // Creations in a directory are serial in the file system anyway: one
    // thread creating while another writes, stamps and closes takes about
    // a third less time than one thread doing both, for no more CPU (two
    // threads both creating cost 13% more CPU on ext4).
    bool creator_threads = false;
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
  // Copies `len` bytes at `offset` of `file` from the memory of write job
  // `ticket`, when that job is not done yet and wrote all of them; false
  // otherwise (then wait for the job and read the file). Saves a read-back
  // of recent bytes from waiting for the writer.
  bool read_written(uint64_t file, uint64_t ticket, uint64_t offset, uint8_t* out, size_t len);
  // compress_while_writing: turns the file into its plain form (NAME, not
  // NAME.zst), so the caller can read it back once the ticket finishes.
  uint64_t stage(uint64_t file);

  // The same jobs for a caller that keeps the writer a file belongs to, so
  // its jobs need no lookup (at 30,000 open files the lookup cost 3% of
  // all CPU). A file created this way takes only these.
  struct FileRef {
    uint64_t id = 0;  // the create job's ticket; 0: none
    size_t shard = 0;
  };
  FileRef create_ref(std::string_view path);
  uint64_t write(const FileRef& file, uint64_t offset, ByteView data) {
    return add(*shards_[file.shard], Kind::kWrite, file.id, offset, data, Timestamp{});
  }
  uint64_t close(const FileRef& file, Timestamp mtime) {
    return add(*shards_[file.shard], Kind::kClose, file.id, 0, ByteView(), mtime);
  }
  uint64_t stage(const FileRef& file) {
    return add(*shards_[file.shard], Kind::kStage, file.id, 0, ByteView(), Timestamp{});
  }
  bool read_written(const FileRef& file, uint64_t ticket, uint64_t offset, uint8_t* out,
                    size_t len) {
    return read_written_in(*shards_[file.shard], file.id, ticket, offset, out, len);
  }
  bool compresses_while_writing() const {
    return limits_.compress_while_writing && limits_.compression.codec != Codec::kNone;
  }

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
  // The outcome of compressing `path` in its close job (once finished()
  // covers it), removed as it is taken; nothing without compression or
  // when the file had failed before.
  std::optional<CompressedFile> take_compressed(const std::string& path);
  // digest_md5: the MD5 of the file closed by finished job `ticket`, when it
  // was written in order from its start; removed as it is taken.
  std::optional<WrittenDigest> take_digest(uint64_t ticket);

  // The writers' descriptor figures, for the run summary.
  size_t peak_open() const;
  size_t evictions() const;
  // creator_threads: files the creating threads made ahead of their writers.
  size_t created_ahead() const;

 private:
  static constexpr int kCreateFlags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
  static constexpr int kReopenFlags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;  // in place, after an eviction
  enum class Kind : uint8_t { kCreate, kWrite, kClose, kStage };
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
    // creator_threads: descriptors of files created ahead, by create ticket.
    std::vector<std::pair<uint64_t, int>> created;
  };
  // A batch handed to a writer. Its memory stays where it is (the queue
  // moves the vectors, not their contents), writers only read it, and only
  // the submitting thread reuses it, after it is done: so until then the
  // submitting thread may read it too (read_written()). The last few done
  // batches are kept from reuse for a while, as a retransmission compares
  // bytes written a moment ago.
  struct InFlight {
    uint64_t first;
    uint64_t last;
    const Job* jobs;
    size_t count;
    const uint8_t* bytes;
  };
  // A file a writer has created and not yet closed.
  struct OpenFile : FdCache::Client {
    int fd = -1;
    bool created = false;
    std::string path;
    std::string error;  // the first failure; the file gets no more writes
    // compress_while_writing: written as path + suffix until staged. Apart,
    // so that a plain file (thirty thousand open at once) does not carry it.
    struct Streamed {
      StreamedFile state;
      std::string on_disk;  // path + suffix
    };
    std::unique_ptr<Streamed> streamed;
    // The path of what is written.
    const std::string& on_disk() const { return streamed ? streamed->on_disk : path; }
    // digest_md5: the MD5 of bytes [0, digested), taken by the shard's
    // lanes; null once a write lands elsewhere (a gap, an overwrite): the
    // file is read back then.
    std::unique_ptr<Md5Stream> md5;
    uint64_t digested = 0;
    void evict_fd() override;
  };
  // One writer thread with the files whose paths hash to it. Jobs on one
  // path run in submission order; jobs on different writers in any order.
  struct Shard {
    Shard(size_t queue_batches, size_t max_open, DirectoryLocks& locks)
        : queue(queue_batches), cache(max_open), hold(locks) {}
    BoundedQueue<Batch> queue;
    // The submitting thread's: the batch being filled, and the batches
    // handed over and not known to be done.
    Batch batch;
    std::deque<InFlight> in_flight;
    std::atomic<uint64_t> done{0};  // the last ticket of the last batch finished
    // The worker's own.
    FdCache cache;
    DirectoryHold hold;  // released after each batch
    // create_ahead()'s, kept for its memory: the hashes of the paths a
    // batch's jobs concern, open-addressed (0: empty). A node-based set
    // allocated a node per path, 2% of a run of short flows.
    std::vector<uint64_t> touched;
    std::unique_ptr<FileCompressor> compressor;  // --compress: at close
    std::unique_ptr<StreamedCompression> streamer;  // --compress: while writing
    std::unordered_map<uint64_t, OpenFile> files;
    // digest_md5: the written bytes' MD5, queued and taken eight files
    // abreast once a few batches are written; the closed files' digests
    // wait for that (see run()).
    Md5Lanes digests;
    struct ClosedDigest {
      uint64_t ticket;  // the close job's
      std::unique_ptr<Md5Stream> md5;
      uint64_t size;
    };
    std::vector<ClosedDigest> closed_digests;
    std::atomic<size_t> peak_open{0};
    std::atomic<size_t> evictions{0};
    std::thread worker;
    // creator_threads: batches go through `ahead` to the creator, which
    // creates their new files and passes them on to `queue`.
    std::unique_ptr<BoundedQueue<Batch>> ahead;
    std::thread creator;
    std::atomic<size_t> created_ahead{0};
    // The creator's own, by a hash of the path (two paths that share one
    // only make the writer create a file itself): each open file's path,
    // and each path's latest create or close, so a path's later life is
    // not created ahead of the writer finishing its earlier one.
    struct PathLife {
      uint64_t ticket;
      bool open;
    };
    std::unordered_map<uint64_t, uint64_t> creator_paths;  // file -> path hash
    std::unordered_map<uint64_t, PathLife> path_lives;     // path hash -> life
    std::deque<std::pair<uint64_t, uint64_t>> closes;      // (ticket, path hash), to forget
  };

  uint64_t add(Shard& shard, Kind kind, uint64_t file, uint64_t offset, ByteView data,
               Timestamp mtime);
  Shard& shard_of(uint64_t file, bool forget);
  size_t shard_for_path(std::string_view path) const;
  bool read_written_in(Shard& shard, uint64_t file, uint64_t ticket, uint64_t offset,
                       uint8_t* out, size_t len);
  static const Job* find_job(const Job* jobs, size_t count, uint64_t ticket);
  void flush(Shard& shard);
  Batch fresh_batch();
  // Moves the batches writers are done with from in_flight to kept_done_.
  void forget_done_batches();
  bool still_read(const Batch& batch) const;
  bool copy_from(const InFlight& batch, uint64_t file, uint64_t ticket, uint64_t offset,
                 uint8_t* out, size_t len) const;
  void run(Shard& shard);
  void run_job(Shard& shard, const Batch& batch, const Job& job);
  void create_ahead(Shard& shard, const Batch& batch);
  void run_creator(Shard& shard);
  void create_for_writer(Shard& shard, Batch& batch);
  bool path_busy(Shard& shard, uint64_t path_hash);
  void create_file(Shard& shard, const Job& job, const char* path);
  void file_created(OpenFile& file);
  void adopt_created(Shard& shard, const Job& job, const char* path, int fd);
  void write_file(Shard& shard, OpenFile& file, const uint8_t* data, size_t size,
                  uint64_t offset);
  void close_file(Shard& shard, const Job& job, OpenFile& file);
  void finish_streamed(Shard& shard, OpenFile& file);
  bool stage_file(Shard& shard, OpenFile& file);
  int reopen(Shard& shard, OpenFile& file);
  void run_batch(Shard& shard, const Batch& batch);
  void finish_digests(Shard& shard);
  void batch_done(Shard& shard, Batch batch);

  const Limits limits_;
  uint64_t submitted_ = 0;  // the submitting thread's, like shard_by_file_
  // With several writers, the writer of each file not yet closed.
  std::unordered_map<uint64_t, size_t> shard_by_file_;
  std::deque<InFlight> kept_done_;  // done batches not reused yet, oldest first
  std::mutex mutex_;  // guards errors_, compressed_, spares_ and the wait below
  std::condition_variable finished_changed_;
  std::unordered_map<uint64_t, std::string> errors_;
  std::unordered_map<std::string, CompressedFile> compressed_;
  std::unordered_map<uint64_t, WrittenDigest> digests_;  // by close ticket
  // Batches a worker is done with, emptied, their memory kept for reuse.
  std::vector<Batch> spares_;
  DirectoryLocks directory_locks_;  // shared by the writers
  std::vector<std::unique_ptr<Shard>> shards_;  // last: their workers start once all is built
};

}  // namespace tcpflow::output
