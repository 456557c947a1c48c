// What the proxy tells whoever records its connections: each connection's
// endpoints, every block of bytes read from either side (before it is
// forwarded), and how it ended. The proxy yields streams, never packets.
#pragma once
#include <cstdint>

#include "proxy/address.h"
#include "util/byte_view.h"
#include "util/timestamp.h"

namespace tcpflow::proxy {

enum class Sender : uint8_t { kClient, kServer };

enum class EndKind : uint8_t {
  kClosed,    // both sides finished (FIN each way)
  kReset,     // one side reset; the reset was passed on
  kIdle,      // -S proxy_idle_timeout
  kShutdown,  // SIGTERM/SIGINT and the grace period ran out
};

class ProxyObserver {
 public:
  virtual ~ProxyObserver() = default;
  // The destination accepted the connection; `id` counts from 1. The
  // client connected to `accepted_at` (this proxy's address).
  virtual void opened(uint64_t id, const Endpoint& client, const Endpoint& accepted_at,
                      const Endpoint& destination, Timestamp now) = 0;
  // `from` sent `data` (one read); called in order per connection.
  virtual void received(uint64_t id, Sender from, ByteView data, Timestamp now) = 0;
  // `from`'s side sent its FIN.
  virtual void finished(uint64_t id, Sender from, Timestamp now) = 0;
  // `reset_by`: with kReset, the side whose reset ended it.
  virtual void ended(uint64_t id, EndKind kind, Sender reset_by, Timestamp now) = 0;
  // Once per turn of the event loop (at least once a second).
  virtual void tick() {}
  // SIGHUP: reopen what logrotate moves (the connection log).
  virtual void hangup() {}
};

}  // namespace tcpflow::proxy
