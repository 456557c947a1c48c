// Keeps at most a budget of flow files open, closing the least recently used
// ones; a file closed this way is reopened in place (without truncation) the
// next time it is written. Running out of descriptors (EMFILE/ENFILE) is
// handled by evicting and retrying, never by losing data.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>

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
  // `client` holds a descriptor opened elsewhere (by a creating thread):
  // counted from now on, evicting others to stay within the budget.
  void adopt(Client& client);
  // Marks `client` as most recently used.
  void touch(Client& client);
  // The client closed its descriptor itself.
  void forget(Client& client);
  // Closes every cached descriptor.
  void evict_all();

  size_t open_count() const { return clients_.size(); }
  size_t capacity() const { return max_open_; }
  // Takes effect at the next open.
  void set_capacity(size_t max_open) { max_open_ = max_open ? max_open : 1; }
  size_t peak_open() const { return peak_open_; }
  size_t evictions() const { return evictions_; }

 private:
  bool evict_one();

  size_t max_open_;
  size_t peak_open_ = 0;
  size_t evictions_ = 0;
  std::list<Client*> clients_;  // front: most recently used
};

}  // namespace tcpflow::output
