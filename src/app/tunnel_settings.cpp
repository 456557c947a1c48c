#include "app/tunnel_settings.h"

#include <charconv>

#include "util/error.h"

namespace tcpflow::app {

void add_tunnel_ports(decode::TunnelConfig& config, decode::TunnelKind kind,
                      const std::string& setting, const std::string& list) {
  if (list.empty()) return;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    const std::string item = list.substr(start, comma - start);
    unsigned port = 0;
    const auto [end, err] = std::from_chars(item.data(), item.data() + item.size(), port);
    if (item.empty() || err != std::errc() || end != item.data() + item.size() || port == 0 ||
        port > 65535) {
      throw UsageError("-S " + setting + "=" + list + ": expected UDP ports 1 to 65535 " +
                       "separated by commas, got '" + item + "'");
    }
    config.extra_udp_ports.emplace_back(static_cast<uint16_t>(port), kind);
    start = comma + 1;
  }
}

}  // namespace tcpflow::app
