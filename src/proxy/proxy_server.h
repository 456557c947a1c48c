// The recording proxy's event loop: listens on every --proxy address,
// connects each accepted client to its --proxy-to destination, and relays
// both ways on one thread (epoll), telling a ProxyObserver what passes.
// SIGTERM/SIGINT stop accepting and give open connections the grace period.
#pragma once
#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "proxy/connection.h"
#include "proxy/proxy_observer.h"
#include "proxy/proxy_options.h"
#include "proxy/signal_fd.h"
#include "util/unique_fd.h"

namespace tcpflow::proxy {

class ProxyServer {
 public:
  // Opens the listeners and resolves the destinations; throws tcpflow::Error.
  ProxyServer(const ProxyOptions& options, ProxyObserver& observer);
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Serves until a stop signal and the grace period; returns true when a stop
  // signal ended it.
  bool run();

 private:
  struct Listener {
    UniqueFd fd;
    size_t route;
  };
  using Clock = std::chrono::steady_clock;

  void open_listeners();
  void accept_from(Listener& listener);
  void start_connect(Connection& connection);
  void connect_done(Connection& connection);
  void handle(Connection& connection, Sender side, uint32_t events);
  void update_interest(Connection& connection);
  void end(Connection& connection, EndKind kind);
  void expire_idle();
  void on_signal();
  void watch(int fd, uint64_t tag, uint32_t events, int op);

  const ProxyOptions& options_;
  ProxyObserver& observer_;
  UniqueFd epoll_;
  SignalFd signals_;
  std::vector<Listener> listeners_;
  std::vector<std::vector<SocketAddress>> targets_;  // per route
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::vector<uint8_t> scratch_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  Clock::time_point stop_deadline_;
  Clock::time_point listeners_paused_until_{};  // out of descriptors: accept later
  bool listeners_paused_ = false;
};

}  // namespace tcpflow::proxy
