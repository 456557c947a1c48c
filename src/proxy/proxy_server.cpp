#include "proxy/proxy_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "util/error.h"

namespace tcpflow::proxy {

namespace {

enum Tag : uint64_t { kListenerTag = 0, kClientTag = 1, kServerTag = 2, kSignalTag = 3 };
constexpr size_t kScratchBytes = 256 * 1024;
constexpr int kMaxEvents = 256;
constexpr auto kPauseOnFdShortage = std::chrono::milliseconds(100);

uint64_t tag(uint64_t id, Tag kind) { return (id << 2) | kind; }

Timestamp wall_clock() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return Timestamp{static_cast<int64_t>(now.tv_sec), static_cast<uint32_t>(now.tv_nsec)};
}

std::string errno_text(int error) { return std::strerror(error); }

std::string socket_address_text(const SocketAddress& address) {
  return endpoint_text(endpoint_from(reinterpret_cast<const sockaddr*>(&address.storage)));
}

// A listening socket on `address`, or an invalid one with errno set.
UniqueFd listen_on(const SocketAddress& address) {
  const auto* sa = reinterpret_cast<const sockaddr*>(&address.storage);
  UniqueFd fd(::socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fd;
  int on = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (sa->sa_family == AF_INET6) {
    // The wildcard serves IPv4 clients too; a named IPv6 address only itself.
    int v6only = IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr) ? 0 : 1;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (::bind(fd.get(), sa, address.length) != 0 || ::listen(fd.get(), SOMAXCONN) != 0) {
    int error = errno;
    fd.reset();
    errno = error;
  }
  return fd;
}

}  // namespace

ProxyServer::ProxyServer(const ProxyOptions& options, ProxyObserver& observer)
    : options_(options),
      observer_(observer),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      scratch_(std::min(kScratchBytes, std::max<size_t>(options.buffer_bytes, 1))) {
  if (!epoll_.valid()) throw Error("proxy: epoll_create1: " + errno_text(errno));
  for (const Route& route : options_.routes) targets_.push_back(resolve(route.target, false));
  open_listeners();
  watch(signals_.fd(), tag(0, kSignalTag), EPOLLIN, EPOLL_CTL_ADD);
}

void ProxyServer::watch(int fd, uint64_t data, uint32_t events, int op) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = data;
  if (::epoll_ctl(epoll_.get(), op, fd, &event) != 0 && op != EPOLL_CTL_DEL) {
    throw Error("proxy: epoll_ctl: " + errno_text(errno));
  }
}

void ProxyServer::open_listeners() {
  for (size_t r = 0; r < options_.routes.size(); ++r) {
    const Route& route = options_.routes[r];
    std::vector<SocketAddress> addresses = resolve(route.listen, true);
    size_t opened = 0;
    std::string failure;
    for (const SocketAddress& address : addresses) {
      UniqueFd fd = listen_on(address);
      if (!fd.valid()) {
        failure = socket_address_text(address) + ": " + errno_text(errno);
        continue;
      }
      sockaddr_storage bound{};
      socklen_t length = sizeof bound;
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &length);
      std::fprintf(stderr, "tcpflow: proxy listening on %s, forwarding to %s:%u\n",
                   endpoint_text(endpoint_from(reinterpret_cast<sockaddr*>(&bound))).c_str(),
                   route.target.host.c_str(), route.target.port);
      watch(fd.get(), tag(listeners_.size(), kListenerTag), EPOLLIN, EPOLL_CTL_ADD);
      listeners_.push_back(Listener{std::move(fd), r});
      ++opened;
      // The dual-stack wildcard already covers IPv4; 0.0.0.0 is only the fallback.
      if (route.listen.host.empty()) break;
    }
    if (opened == 0) throw Error("proxy: cannot listen on " + failure);
  }
  std::fflush(stderr);
}

void ProxyServer::accept_from(Listener& listener) {
  for (;;) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int fd = ::accept4(listener.fd.get(), reinterpret_cast<sockaddr*>(&peer), &length,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::fprintf(stderr, "tcpflow: proxy: accept: %s; new clients wait\n",
                     errno_text(errno).c_str());
        for (size_t i = 0; i < listeners_.size(); ++i) {
          watch(listeners_[i].fd.get(), 0, 0, EPOLL_CTL_DEL);
        }
        listeners_paused_ = true;
        listeners_paused_until_ = Clock::now() + kPauseOnFdShortage;
      }
      return;
    }
    UniqueFd client(fd);
    Endpoint client_end = endpoint_from(reinterpret_cast<sockaddr*>(&peer));
    if (!client_allowed(options_.allow, client_end)) {
      std::fprintf(stderr, "tcpflow: proxy: client %s refused (not in --proxy-allow)\n",
                   endpoint_text(client_end).c_str());
      linger abort{1, 0};
      ::setsockopt(client.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
      continue;
    }
    int on = 1;
    ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    uint64_t id = next_id_++;
    auto connection = std::make_unique<Connection>(id, std::move(client), client_end,
                                                   listener.route, options_.buffer_bytes);
    Connection& c = *connection;
    sockaddr_storage local{};
    socklen_t local_length = sizeof local;
    if (::getsockname(c.half(Sender::kClient).fd.get(), reinterpret_cast<sockaddr*>(&local),
                      &local_length) == 0) {
      c.accepted_at = endpoint_from(reinterpret_cast<sockaddr*>(&local));
    }
    connections_.emplace(id, std::move(connection));
    start_connect(c);
  }
}

// Tries the route's next destination address; none left: the client is
// closed at once and the error reported.
void ProxyServer::start_connect(Connection& c) {
  const std::vector<SocketAddress>& addresses = targets_[c.route()];
  int error = 0;
  while (c.next_address < addresses.size()) {
    const SocketAddress& address = addresses[c.next_address++];
    const auto* sa = reinterpret_cast<const sockaddr*>(&address.storage);
    SocketHalf& server = c.half(Sender::kServer);
    server.registered_events = 0;
    server.fd = UniqueFd(::socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!server.fd.valid()) {
      error = errno;
      continue;
    }
    int on = 1;
    ::setsockopt(server.fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    c.destination = endpoint_from(sa);
    if (::connect(server.fd.get(), sa, address.length) == 0 || errno == EINPROGRESS) {
      update_interest(c);
      return;
    }
    error = errno;
    server.fd.reset();
  }
  const Route& route = options_.routes[c.route()];
  std::fprintf(stderr, "tcpflow: proxy: client %s: cannot connect to %s:%u: %s\n",
               endpoint_text(c.client_end()).c_str(), route.target.host.c_str(),
               route.target.port, errno_text(error ? error : ECONNREFUSED).c_str());
  c.forward_reset(Sender::kServer);  // the client learns at once
  connections_.erase(c.id());
}

void ProxyServer::connect_done(Connection& c) {
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(c.half(Sender::kServer).fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    SocketHalf& server = c.half(Sender::kServer);
    if (server.registered_events) watch(server.fd.get(), 0, 0, EPOLL_CTL_DEL);
    server.registered_events = 0;
    server.fd.reset();
    errno = error;
    if (c.next_address < targets_[c.route()].size()) {
      start_connect(c);
      return;
    }
    const Route& route = options_.routes[c.route()];
    std::fprintf(stderr, "tcpflow: proxy: client %s: cannot connect to %s:%u: %s\n",
                 endpoint_text(c.client_end()).c_str(), route.target.host.c_str(),
                 route.target.port, errno_text(error).c_str());
    SocketHalf& client = c.half(Sender::kClient);
    if (client.registered_events) watch(client.fd.get(), 0, 0, EPOLL_CTL_DEL);
    c.forward_reset(Sender::kServer);
    connections_.erase(c.id());
    return;
  }
  c.connecting = false;
  observer_.opened(c.id(), c.client_end(), c.accepted_at, c.destination, wall_clock());
  update_interest(c);
}

void ProxyServer::update_interest(Connection& c) {
  for (Sender side : {Sender::kClient, Sender::kServer}) {
    SocketHalf& half = c.half(side);
    if (!half.fd.valid()) continue;
    uint32_t wanted = c.wanted_events(side);
    if (wanted == half.registered_events) continue;
    // A socket with nothing to wait for leaves the set: a hang-up on it would
    // otherwise wake the loop again and again.
    uint64_t data = tag(c.id(), side == Sender::kClient ? kClientTag : kServerTag);
    int op = wanted == 0 ? EPOLL_CTL_DEL
                         : half.registered_events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    watch(half.fd.get(), data, wanted, op);
    half.registered_events = wanted;
  }
}

void ProxyServer::handle(Connection& c, Sender side, uint32_t events) {
  if (c.connecting) {
    if (side == Sender::kServer) connect_done(c);
    return;
  }
  Timestamp now = wall_clock();
  Progress progress = Progress::kOpen;
  if (events & EPOLLOUT) progress = c.flush(side);
  if (progress == Progress::kOpen && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
    progress = c.pump(side, scratch_, observer_, now);
  }
  // What was just read may have room for the peer's bytes now, and the
  // peer may have data to take: serve the other side without another wait.
  if (progress == Progress::kOpen) progress = c.flush(other(side));
  if (progress == Progress::kReset) {
    end(c, EndKind::kReset);
  } else if (progress == Progress::kClosed) {
    end(c, EndKind::kClosed);
  } else {
    update_interest(c);
  }
}

void ProxyServer::end(Connection& c, EndKind kind) {
  for (Sender side : {Sender::kClient, Sender::kServer}) {
    SocketHalf& half = c.half(side);
    if (half.fd.valid() && half.registered_events) watch(half.fd.get(), 0, 0, EPOLL_CTL_DEL);
  }
  if (!c.connecting) observer_.ended(c.id(), kind, c.reset_by(), wall_clock());
  connections_.erase(c.id());  // closes both sockets
}

void ProxyServer::expire_idle() {
  Clock::time_point now = Clock::now();
  std::vector<Connection*> expired;
  for (auto& [id, connection] : connections_) {
    double idle = std::chrono::duration<double>(now - connection->last_active).count();
    if (options_.idle_timeout_sec > 0 && idle >= options_.idle_timeout_sec) {
      expired.push_back(connection.get());
    } else if (stopping_ && now >= stop_deadline_) {
      expired.push_back(connection.get());
    }
  }
  for (Connection* c : expired) {
    bool idle = !(stopping_ && now >= stop_deadline_);
    end(*c, idle ? EndKind::kIdle : EndKind::kShutdown);
  }
}

void ProxyServer::on_signal() {
  while (int signo = signals_.take()) {
    if (signo == SIGHUP) {
      observer_.hangup();
      continue;
    }
    if (stopping_) {                // a second stop signal: no more grace
      stop_deadline_ = Clock::now();
      continue;
    }
    stopping_ = true;
    stop_deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(options_.grace_sec));
    listeners_.clear();  // closing a socket drops it from the epoll set
    std::fprintf(stderr, "tcpflow: proxy: %s: no new connections; %zu open\n",
                 strsignal(signo), connections_.size());
  }
}

bool ProxyServer::run() {
  epoll_event events[kMaxEvents];
  Clock::time_point last_sweep = Clock::now();
  while (!(stopping_ && connections_.empty())) {
    int wait_ms = 1000;
    if (stopping_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(stop_deadline_ - Clock::now());
      wait_ms = static_cast<int>(std::clamp<int64_t>(left.count() + 1, 0, 1000));
    }
    int n = ::epoll_wait(epoll_.get(), events, kMaxEvents, wait_ms);
    if (n < 0 && errno != EINTR) throw Error("proxy: epoll_wait: " + errno_text(errno));
    for (int i = 0; i < n; ++i) {
      uint64_t data = events[i].data.u64;
      uint64_t id = data >> 2;
      switch (static_cast<Tag>(data & 3)) {
        case kSignalTag: on_signal(); break;
        case kListenerTag:
          if (id < listeners_.size()) accept_from(listeners_[id]);
          break;
        case kClientTag:
        case kServerTag: {
          auto found = connections_.find(id);
          if (found == connections_.end()) break;  // ended earlier in this batch
          handle(*found->second, (data & 3) == kClientTag ? Sender::kClient : Sender::kServer,
                 events[i].events);
          break;
        }
      }
    }
    Clock::time_point now = Clock::now();
    if (listeners_paused_ && now >= listeners_paused_until_) {
      listeners_paused_ = false;
      for (size_t i = 0; i < listeners_.size(); ++i) {
        watch(listeners_[i].fd.get(), tag(i, kListenerTag), EPOLLIN, EPOLL_CTL_ADD);
      }
    }
    if (now - last_sweep >= std::chrono::seconds(1) || (stopping_ && now >= stop_deadline_)) {
      last_sweep = now;
      expire_idle();
    }
    observer_.tick();
  }
  return stopping_;
}

}  // namespace tcpflow::proxy
