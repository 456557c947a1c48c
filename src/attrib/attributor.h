// Attributes connection ends on this host to processes without slowing the
// packet thread: requests go to a lookup thread (socket diagnostics, then
// the /proc index) and answers come back through a queue the packet thread
// drains when it likes. A full request queue drops the request and counts
// it (the end stays "unknown"); nothing on the packet path ever waits.
// A lookup that wants another try later (a socket whose process a fresh
// /proc scan may yet show) is set aside until then, never slept on: under
// load a sleep held up every request behind it until those sockets had
// gone (CI saw 14 of 1,000 connections lost that way).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include "attrib/sock_diag.h"
#include "flow/process_info.h"

namespace tcpflow::attrib {

enum class AttributionStatus : uint8_t {
  kFound,      // socket and process known
  kNoSocket,   // no such socket (already gone, or not on this host)
  kNoProcess,  // the socket exists but no visible process holds it (permissions, or it was closed)
  kError,      // the kernel refused the query
};

struct Attribution {
  uint64_t key = 0;  // the caller's (connection id and end)
  AttributionStatus status = AttributionStatus::kNoSocket;
  std::optional<flow::ProcessInfo> process;
  uint32_t socket_uid = 0;  // from the kernel, even when no process was visible
  bool socket_found = false;
  // The socket had a file (an inode) but no process this one may look at
  // holds it: another user's, without the privileges to see it (or closed
  // between the two looks).
  bool hidden = false;
  // Non-zero: not final; look again (attempt + 1) after this long.
  std::chrono::milliseconds retry_after{0};
};

class Attributor {
 public:
  // Looks one socket up (attempt 0, then 1, 2, ... while the answer asks
  // for a retry); the real one asks SockDiag and ProcessIndex. Tests pass
  // their own.
  using Lookup = std::function<Attribution(const SocketTuple&, unsigned attempt)>;

  static constexpr size_t kMaxPending = 4096;

  // `on_thread_start` runs first on the lookup thread, before the constructor
  // returns (the system lookup's keep_proc_access_across_setuid must come
  // before the caller's setuid); `on_nudge` runs on it after each nudge().
  explicit Attributor(Lookup lookup, std::function<void()> on_thread_start = {},
                      std::function<void()> on_nudge = {});
  ~Attributor();
  Attributor(const Attributor&) = delete;
  Attributor& operator=(const Attributor&) = delete;

  // The lookup of a live host: netlink + /proc. Throws Error when socket
  // diagnostics cannot be opened.
  static Lookup system_lookup();

  // Never blocks; returns false (and counts) when the queue is full.
  bool request(uint64_t key, const SocketTuple& tuple);
  // Moves every finished answer into `out`; never blocks.
  void take(std::vector<Attribution>& out);
  // Waits until every request so far is answered (end of run), at most `limit`.
  void wait_idle(std::chrono::milliseconds limit);
  // Waits until request `key` is answered, at most `limit`; true when it is.
  bool wait_for(uint64_t key, std::chrono::milliseconds limit);
  // Has the lookup thread run on_nudge soon (after -U's setuid: trim the
  // capabilities it kept at once, not at its first lookup).
  void nudge();

  uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Pending {
    uint64_t key;
    SocketTuple tuple;
  };
  struct Deferred {
    std::chrono::steady_clock::time_point due;
    Pending request;
    unsigned attempt;
    Attribution earlier;
  };
  void run();
  // Runs one lookup (lock released) and files its answer, final or deferred.
  void serve(std::unique_lock<std::mutex>& lock, Pending request, unsigned attempt,
             std::optional<Attribution> earlier);

  Lookup lookup_;
  std::function<void()> on_thread_start_;
  std::function<void()> on_nudge_;
  bool nudged_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;  // an answer is ready (and maybe every one is)
  std::deque<Pending> pending_;
  std::vector<Deferred> deferred_;  // few: only sockets whose process was missing
  std::unordered_set<uint64_t> unanswered_;  // keys asked for and not yet answered
  std::vector<Attribution> done_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace tcpflow::attrib
