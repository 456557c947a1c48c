#include "output/fd_cache.h"

#include <fcntl.h>
#include <sys/resource.h>

#include <cerrno>

namespace tcpflow::output {

namespace {

// Descriptors kept free for inputs, the report, -w/-K files and libraries.
constexpr size_t kReservedDescriptors = 32;
constexpr size_t kMinimumBudget = 1;

size_t default_budget() {
  struct rlimit limit {};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1024;
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
