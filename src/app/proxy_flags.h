// --proxy, --proxy-to, --proxy-allow, --proxy-record and --pidfile as given,
// and the rules that turn them into Config::proxy.
#pragma once
#include <string>
#include <vector>

#include "app/config.h"

namespace tcpflow::app {

struct ProxyFlags {
  std::vector<std::string> listen;  // each --proxy, in order
  std::vector<std::string> to;      // each --proxy-to, paired with the --proxy of its rank
  std::vector<std::string> allow;
  std::string record;               // empty: both
  bool any() const { return !listen.empty() || !to.empty() || !allow.empty() || !record.empty(); }
};

// Fills c.proxy; throws tcpflow::UsageError on a malformed address, unpaired
// options, or inputs given with --proxy (it reads no capture).
void apply_proxy_flags(const ProxyFlags& flags, Config& c);

}  // namespace tcpflow::app
