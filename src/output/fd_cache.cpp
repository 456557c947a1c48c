#include "output/fd_cache.h"

#include <fcntl.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>

namespace tcpflow::output {

namespace {

// Descriptors kept free for inputs, the report, -w/-K files and libraries.
constexpr size_t kReservedDescriptors = 32;
constexpr size_t kMinimumBudget = 1;
constexpr rlim_t kMostDescriptorsWanted = 65536 + kReservedDescriptors;

// Debian's default soft limit is 1024 under a hard limit of a million: a
// capture with a few thousand concurrent connections would spend its time
// closing and reopening files. An unprivileged process may raise its soft
// limit up to the hard one, so it does (but not past 64k files).
void raise_soft_limit(struct rlimit& limit) {
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= kMostDescriptorsWanted) return;
  rlim_t wanted = limit.rlim_max == RLIM_INFINITY
                      ? kMostDescriptorsWanted
                      : std::min(limit.rlim_max, kMostDescriptorsWanted);
  if (wanted <= limit.rlim_cur) return;
  struct rlimit raised = limit;
  raised.rlim_cur = wanted;
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
}

size_t default_budget() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  raise_soft_limit(limit);
  if (limit.rlim_cur == RLIM_INFINITY) return 1024;
  size_t soft = static_cast<size_t>(limit.rlim_cur);
  return soft > kReservedDescriptors + kMinimumBudget ? soft - kReservedDescriptors
                                                      : kMinimumBudget;
}

}  // namespace

FdCache::FdCache(size_t max_open) : max_open_(max_open ? max_open : default_budget()) {}

int FdCache::open(Client& client, const std::string& path, int flags, mode_t mode) {
  if (client.cached_) forget(client);
  while (clients_.size() >= max_open_ && evict_one()) {
  }
  int fd;
  while ((fd = ::open(path.c_str(), flags, mode)) < 0) {
    if ((errno != EMFILE && errno != ENFILE) || !evict_one()) return -1;
  }
  clients_.push_front(&client);
  client.position_ = clients_.begin();
  client.cached_ = true;
  if (clients_.size() > peak_open_) peak_open_ = clients_.size();
  return fd;
}

void FdCache::adopt(Client& client) {
  if (client.cached_) forget(client);
  while (clients_.size() >= max_open_ && evict_one()) {
  }
  clients_.push_front(&client);
  client.position_ = clients_.begin();
  client.cached_ = true;
  if (clients_.size() > peak_open_) peak_open_ = clients_.size();
}

void FdCache::touch(Client& client) {
  if (client.cached_ && client.position_ != clients_.begin()) {
    clients_.splice(clients_.begin(), clients_, client.position_);
  }
}

void FdCache::forget(Client& client) {
  if (!client.cached_) return;
  clients_.erase(client.position_);
  client.cached_ = false;
}

bool FdCache::evict_one() {
  if (clients_.empty()) return false;
  Client* victim = clients_.back();
  clients_.pop_back();
  victim->cached_ = false;
  ++evictions_;
  victim->evict_fd();
  return true;
}

void FdCache::evict_all() {
  while (evict_one()) {
  }
}

}  // namespace tcpflow::output
