// Keeps at most a budget of flow files open, closing the least recently used
// ones; a file closed this way is reopened in place (without truncation) the
// next time it is written. Running out of descriptors (EMFILE/ENFILE) is
// handled by evicting and retrying, never by losing data.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "output/buffer_pool.h"

namespace tcpflow::output {

class FdCache {
 public:
  // Something that owns a cached descriptor and can give it up on request.
  class Client {
   public:
    virtual ~Client() = default;
    // Flush anything buffered and close the descriptor.
    virtual void evict_fd() = 0;

   private:
    friend class FdCache;
    std::list<Client*>::iterator position_;
    bool cached_ = false;
  };

  // max_open 0: the process limit (RLIMIT_NOFILE, whose soft value is first
  // raised towards the hard one, up to 64k) minus a reserve.
  explicit FdCache(size_t max_open);

  // Opens `path` for `client`, evicting others to stay within the budget.
  // Returns the descriptor, or -1 with errno set.
  int open(Client& client, const std::string& path, int flags, mode_t mode);
  // Marks `client` as most recently used.
  void touch(Client& client);
  // The client closed its descriptor itself.
  void forget(Client& client);
  // Closes every cached descriptor.
  void evict_all();

  // Write buffers are shared out under a cap, so thousands of open flows do
  // not each pin one; a flow without a buffer writes straight through.
  static constexpr size_t kBufferSize = 16 * 1024;
  std::unique_ptr<uint8_t[]> reserve_buffer() { return small_.reserve(); }  // null: all in use
  void release_buffer(std::unique_ptr<uint8_t[]> buffer) { small_.release(std::move(buffer)); }
  size_t buffers_in_use() const { return small_.in_use(); }

  // A long flow (one that has filled its small buffer a few times) trades it
  // for a large one, so its bytes reach the file in 128 KiB writes: on ext4,
  // 3.7 GB in 16 KiB pwrites cost 3.3 s of kernel time, in 256 KiB ones 1.5 s.
  // Null when all are in use, or while most small buffers are (many flows
  // at once: memory is better spent on them).
  static constexpr size_t kLargeBufferSize = 128 * 1024;
  std::unique_ptr<uint8_t[]> reserve_large_buffer();
  void release_large_buffer(std::unique_ptr<uint8_t[]> buffer) { large_.release(std::move(buffer)); }
  size_t large_buffers_in_use() const { return large_.in_use(); }

  size_t open_count() const { return clients_.size(); }
  size_t capacity() const { return max_open_; }
  // Takes effect at the next open.
  void set_capacity(size_t max_open) { max_open_ = max_open ? max_open : 1; }
  size_t peak_open() const { return peak_open_; }
  size_t evictions() const { return evictions_; }

 private:
  bool evict_one();

  // 1024 x 16 KiB = 16 MiB at most. When this thread wrote the files, 2048
  // were worth their memory (W1 in tests/bench, a thousand connections at
  // once, ran 20-30% faster than with 1024, making 184k pwrites instead of
  // 346k). With the writer thread doing the writes, an unbuffered segment
  // costs this thread only a copy: 1024 measure the same on W1, ~10% slower
  // on C1000, and keep 30,000 concurrent connections (C30000) 14 MB lower,
  // inside tcpflow 1.6.1's peak RSS + 64 MB.
  static constexpr size_t kMaxBuffers = 1024;
  // 96 x 128 KiB = 12 MiB at most: W1 and W3 stay well inside tcpflow
  // 1.6.1's peak RSS + 64 MB.
  static constexpr size_t kMaxLargeBuffers = 96;

  size_t max_open_;
  BufferPool small_{kBufferSize, kMaxBuffers};
  BufferPool large_{kLargeBufferSize, kMaxLargeBuffers};
  size_t peak_open_ = 0;
  size_t evictions_ = 0;
  std::list<Client*> clients_;  // front: most recently used
};

}  // namespace tcpflow::output
