#include "proxy/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace tcpflow::proxy {

namespace {
// Reads per wake-up before the loop serves other connections.
constexpr int kReadsPerTurn = 8;
}  // namespace

Connection::Connection(uint64_t id, UniqueFd client, const Endpoint& client_end, size_t route,
                       size_t buffer_bytes)
    : id_(id),
      route_(route),
      client_end_(client_end),
      to_server_(buffer_bytes),
      to_client_(buffer_bytes) {
  client_.fd = std::move(client);
  last_active = std::chrono::steady_clock::now();
}

long Connection::send_to(Sender to, ByteView data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(half(to).fd.get(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return -1;
  }
  return static_cast<long>(sent);
}

void Connection::shut_if_done(Sender to) {
  SocketHalf& target = half(to);
  if (target.write_shut || !half(other(to)).read_done || !buffer_to(to).empty()) return;
  ::shutdown(target.fd.get(), SHUT_WR);
  target.write_shut = true;
}

Progress Connection::pump(Sender from, std::vector<uint8_t>& scratch, ProxyObserver& observer,
                          Timestamp now) {
  SocketHalf& source = half(from);
  Sender to = other(from);
  RelayBuffer& buffer = buffer_to(to);
  for (int turn = 0; turn < kReadsPerTurn && !source.read_done; ++turn) {
    size_t want = std::min(buffer.room(), scratch.size());
    if (want == 0) break;  // back-pressure: the receiver has not taken enough
    ssize_t n = ::recv(source.fd.get(), scratch.data(), want, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {
      forward_reset(from);
      return Progress::kReset;
    }
    if (n == 0) {
      source.read_done = true;
      observer.finished(id_, from, now);
      shut_if_done(to);
      break;
    }
    last_active = std::chrono::steady_clock::now();
    ByteView data(scratch.data(), static_cast<size_t>(n));
    observer.received(id_, from, data, now);
    long sent = buffer.empty() ? send_to(to, data) : 0;
    if (sent < 0) {
      forward_reset(to);
      return Progress::kReset;
    }
    buffer.push(data.subview(static_cast<size_t>(sent)));
  }
  return finished() ? Progress::kClosed : Progress::kOpen;
}

Progress Connection::flush(Sender to) {
  RelayBuffer& buffer = buffer_to(to);
  if (!buffer.empty()) {
    long sent = send_to(to, buffer.front());
    if (sent < 0) {
      forward_reset(to);
      return Progress::kReset;
    }
    if (sent > 0) last_active = std::chrono::steady_clock::now();
    buffer.consume(static_cast<size_t>(sent));
  }
  shut_if_done(to);
  return finished() ? Progress::kClosed : Progress::kOpen;
}

void Connection::forward_reset(Sender side) {
  reset_by_ = side;
  SocketHalf& peer = half(other(side));
  if (peer.fd.valid()) {
    linger abort{1, 0};  // close() then sends RST, as the other side did
    ::setsockopt(peer.fd.get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  }
  client_.fd.reset();
  server_.fd.reset();
}

uint32_t Connection::wanted_events(Sender side) const {
  const SocketHalf& self = side == Sender::kClient ? client_ : server_;
  if (connecting) return side == Sender::kServer ? static_cast<uint32_t>(EPOLLOUT) : 0u;
  uint32_t events = 0;
  if (!self.read_done && buffer_to(other(side)).room() > 0) events |= EPOLLIN;
  if (!buffer_to(side).empty()) events |= EPOLLOUT;
  return events;
}

}  // namespace tcpflow::proxy
