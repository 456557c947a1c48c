// The proxy's settings: --proxy/--proxy-to pairs, --proxy-allow, -S proxy_*.
#pragma once
#include <cstddef>
#include <vector>

#include "proxy/address.h"

namespace tcpflow::proxy {

struct Route {
  HostPort listen;  // empty host: every address
  HostPort target;
};

enum class RecordSides : uint8_t { kBoth, kClient, kServer, kNone };

struct ProxyOptions {
  std::vector<Route> routes;
  std::vector<AllowRule> allow;         // empty: every client
  size_t buffer_bytes = 256 * 1024;     // -S proxy_buffer: per direction
  double grace_sec = 10;                // -S proxy_grace
  double idle_timeout_sec = 0;          // -S proxy_idle_timeout (0: none)
  RecordSides record = RecordSides::kBoth;  // --proxy-record
  bool record_times = true;             // -S proxy_times
  bool printable_only = false;          // -S printable_only
  bool active() const { return !routes.empty(); }
};

}  // namespace tcpflow::proxy
