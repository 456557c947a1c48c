#include "app/proxy_flags.h"

#include "util/error.h"

namespace tcpflow::app {

void apply_proxy_flags(const ProxyFlags& flags, Config& c) {
  if (!flags.any()) return;
  if (flags.listen.empty()) {
    throw UsageError("--proxy-to, --proxy-allow and --proxy-record need --proxy [HOST:]PORT");
  }
  if (flags.listen.size() != flags.to.size()) {
    throw UsageError("each --proxy needs its own --proxy-to HOST:PORT (" +
                     std::to_string(flags.listen.size()) + " --proxy, " +
                     std::to_string(flags.to.size()) + " --proxy-to)");
  }
  if (c.live || !c.read_files.empty() || !c.resume_files.empty()) {
    throw UsageError("--proxy records the connections it relays and reads no capture "
                     "(drop -r, -R, -l and -i)");
  }
  // No packets pass through a proxy, and none are made up.
  if (c.split_pcap || !c.unprocessed_pcap.empty()) {
    throw UsageError("--proxy relays streams, not packets: -K and -w have nothing to write");
  }
  for (size_t i = 0; i < flags.listen.size(); ++i) {
    proxy::Route route;
    route.listen = proxy::parse_host_port(flags.listen[i], true, "--proxy");
    route.target = proxy::parse_host_port(flags.to[i], false, "--proxy-to");
    c.proxy.routes.push_back(route);
  }
  for (const std::string& rule : flags.allow) c.proxy.allow.push_back(proxy::parse_allow_rule(rule));
  const std::string& record = flags.record;
  if (record.empty() || record == "both") {
    c.proxy.record = proxy::RecordSides::kBoth;
  } else if (record == "client") {
    c.proxy.record = proxy::RecordSides::kClient;
  } else if (record == "server") {
    c.proxy.record = proxy::RecordSides::kServer;
  } else if (record == "none") {
    c.proxy.record = proxy::RecordSides::kNone;
  } else {
    throw UsageError("--proxy-record expects both, client, server or none, got '" + record + "'");
  }
}

}  // namespace tcpflow::app
