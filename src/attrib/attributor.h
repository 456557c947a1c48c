// Attributes connection ends on this host to processes without slowing the
// packet thread: requests go to a lookup thread (socket diagnostics, then
// the /proc index) and answers come back through a queue the packet thread
// drains when it likes. A full request queue drops the request and counts
// it (the end stays "unknown"); nothing on the packet path ever waits.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
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
};

class Attributor {
 public:
  // Looks one socket up; the real one asks SockDiag and ProcessIndex. Tests
  // pass their own.
  using Lookup = std::function<Attribution(const SocketTuple&)>;

  static constexpr size_t kMaxPending = 4096;

  explicit Attributor(Lookup lookup);
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

  uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Pending {
    uint64_t key;
    SocketTuple tuple;
  };
  void run();

  Lookup lookup_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Pending> pending_;
  std::vector<Attribution> done_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace tcpflow::attrib
