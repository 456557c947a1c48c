// One proxied connection: the client's socket, the destination's socket,
// and a bounded buffer each way. Moves bytes between them, passes on FIN
// (shutdown(SHUT_WR)) and resets (SO_LINGER 0), and says which events each
// socket needs next. Knows nothing of epoll or of recording: every block
// read goes to the ProxyObserver before it is forwarded.
#pragma once
#include <chrono>
#include <cstdint>
#include <vector>

#include "proxy/address.h"
#include "proxy/proxy_observer.h"
#include "proxy/relay_buffer.h"
#include "util/unique_fd.h"

namespace tcpflow::proxy {

enum class Progress : uint8_t { kOpen, kClosed, kReset };

struct SocketHalf {
  UniqueFd fd;
  bool read_done = false;   // its FIN arrived
  bool write_shut = false;  // our FIN was sent to it
  uint32_t registered_events = 0;  // what epoll watches now (0: not registered)
};

class Connection {
 public:
  Connection(uint64_t id, UniqueFd client, const Endpoint& client_end, size_t route,
             size_t buffer_bytes);

  uint64_t id() const { return id_; }
  size_t route() const { return route_; }
  const Endpoint& client_end() const { return client_end_; }
  SocketHalf& half(Sender side) { return side == Sender::kClient ? client_ : server_; }

  // Connecting to the destination; `next_address` is the one to try after.
  bool connecting = true;
  size_t next_address = 0;
  Endpoint destination;
  // Where the client connected to (this proxy's address and port): with the
  // client's end, the four-tuple of the client's own socket.
  Endpoint accepted_at;
  std::chrono::steady_clock::time_point last_active;

  // Reads what `from` sent (no more than its peer's buffer has room for),
  // tells `observer`, and forwards it. `scratch` is the loop's read buffer.
  Progress pump(Sender from, std::vector<uint8_t>& scratch, ProxyObserver& observer,
                Timestamp now);
  // Sends to `to` what waits for it; then its FIN if its peer has finished.
  Progress flush(Sender to);
  // `side` reset (or failed): reset the other side too.
  void forward_reset(Sender side);
  // The epoll events `side` needs now (0: none).
  uint32_t wanted_events(Sender side) const;
  bool finished() const { return client_.write_shut && server_.write_shut; }
  Sender reset_by() const { return reset_by_; }

 private:
  RelayBuffer& buffer_to(Sender side) { return side == Sender::kClient ? to_client_ : to_server_; }
  const RelayBuffer& buffer_to(Sender side) const {
    return side == Sender::kClient ? to_client_ : to_server_;
  }
  // Sends from `data` to `to`; returns the bytes taken, or -1 when `to` failed.
  long send_to(Sender to, ByteView data);
  void shut_if_done(Sender to);

  uint64_t id_;
  size_t route_;
  Endpoint client_end_;
  SocketHalf client_;
  SocketHalf server_;
  RelayBuffer to_server_;
  RelayBuffer to_client_;
  Sender reset_by_ = Sender::kClient;
};

inline Sender other(Sender side) {
  return side == Sender::kClient ? Sender::kServer : Sender::kClient;
}

}  // namespace tcpflow::proxy
