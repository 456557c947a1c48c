// The proxy's addresses: what --proxy, --proxy-to and --proxy-allow accept,
// and a socket address turned into plain bytes for naming flows.
#pragma once
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tcpflow::proxy {

// An endpoint as flows name it: family 4 or 6, the address bytes (IPv4 in
// the first four), the port.
struct Endpoint {
  uint8_t family = 0;
  std::array<uint8_t, 16> bytes{};
  uint16_t port = 0;
};

// HOST:PORT, [V6HOST]:PORT or (when `host_optional`, for listening) PORT
// alone, and then port 0 (any free port) too. The host is
// kept as text (a name is resolved later); empty means every address.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
// Throws tcpflow::UsageError naming `option` when `text` is not of that form.
HostPort parse_host_port(const std::string& text, bool host_optional, const char* option);

// ADDR or ADDR/PREFIX, IPv4 or IPv6 (an IPv4 rule also matches an
// IPv4-mapped IPv6 client).
struct AllowRule {
  Endpoint net;  // port unused
  unsigned prefix = 0;
};
AllowRule parse_allow_rule(const std::string& text);  // throws tcpflow::UsageError
// True when `rules` is empty or one of them covers `client`.
bool client_allowed(const std::vector<AllowRule>& rules, const Endpoint& client);

Endpoint endpoint_from(const sockaddr* address);
// 192.0.2.1:80 or [2001:db8::1]:80, for messages.
std::string endpoint_text(const Endpoint& endpoint);

// Resolves `hp` to socket addresses (numeric first, then names); an empty host
// gives the wildcard addresses (IPv6 first, then IPv4) when `passive`.
// Throws tcpflow::Error when nothing resolves.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};
std::vector<SocketAddress> resolve(const HostPort& hp, bool passive);

}  // namespace tcpflow::proxy
