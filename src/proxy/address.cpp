#include "proxy/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>

#include "util/error.h"

namespace tcpflow::proxy {

namespace {

bool parse_port(const std::string& text, bool allow_zero, uint16_t& port) {
  if (text.empty() || text.size() > 5) return false;
  unsigned value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
    value = value * 10 + static_cast<unsigned>(ch - '0');
  }
  if ((value == 0 && !allow_zero) || value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

bool parse_numeric(const std::string& text, Endpoint& out) {
  out = Endpoint{};
  if (inet_pton(AF_INET, text.c_str(), out.bytes.data()) == 1) {
    out.family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), out.bytes.data()) == 1) {
    out.family = 6;
    return true;
  }
  return false;
}

// ::ffff:a.b.c.d, as a dual-stack listener reports IPv4 clients.
bool is_v4_mapped(const Endpoint& e) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return e.family == 6 && std::memcmp(e.bytes.data(), kPrefix, sizeof kPrefix) == 0;
}

bool prefix_matches(const uint8_t* net, const uint8_t* addr, unsigned prefix) {
  unsigned whole = prefix / 8;
  if (std::memcmp(net, addr, whole) != 0) return false;
  unsigned rest = prefix % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (net[whole] & mask) == (addr[whole] & mask);
}

}  // namespace

HostPort parse_host_port(const std::string& text, bool host_optional, const char* option) {
  HostPort hp;
  std::string port_text;
  bool ok = true;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    ok = close != std::string::npos && close + 1 < text.size() && text[close + 1] == ':';
    if (ok) {
      hp.host = text.substr(1, close - 1);
      port_text = text.substr(close + 2);
      Endpoint e;
      ok = parse_numeric(hp.host, e) && e.family == 6;
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      port_text = text;
      ok = host_optional;
    } else {
      hp.host = text.substr(0, colon);
      port_text = text.substr(colon + 1);
      // An unbracketed IPv6 address would make the port ambiguous.
      ok = !hp.host.empty() && hp.host.find(':') == std::string::npos;
    }
  }
  // Port 0 lets the system choose a listening port (the proxy prints it).
  if (!ok || !parse_port(port_text, host_optional, hp.port)) {
    throw UsageError(std::string(option) + " expects " + (host_optional ? "[HOST:]PORT" : "HOST:PORT") +
                     " (an IPv6 address in brackets, [::1]:8080), got '" + text + "'");
  }
  return hp;
}

AllowRule parse_allow_rule(const std::string& text) {
  AllowRule rule;
  size_t slash = text.find('/');
  std::string address = text.substr(0, slash);
  bool ok = parse_numeric(address, rule.net);
  unsigned max_prefix = rule.net.family == 4 ? 32 : 128;
  rule.prefix = max_prefix;
  if (ok && slash != std::string::npos) {
    std::string prefix = text.substr(slash + 1);
    ok = !prefix.empty() && prefix.size() <= 3 &&
         prefix.find_first_not_of("0123456789") == std::string::npos;
    if (ok) rule.prefix = static_cast<unsigned>(std::stoul(prefix));
    ok = ok && rule.prefix <= max_prefix;
  }
  if (!ok) {
    throw UsageError("--proxy-allow expects ADDR or ADDR/PREFIX (IPv4 or IPv6), got '" + text +
                     "'");
  }
  return rule;
}

bool client_allowed(const std::vector<AllowRule>& rules, const Endpoint& client) {
  if (rules.empty()) return true;
  for (const AllowRule& rule : rules) {
    if (rule.net.family == client.family &&
        prefix_matches(rule.net.bytes.data(), client.bytes.data(), rule.prefix)) {
      return true;
    }
    if (rule.net.family == 4 && is_v4_mapped(client) &&
        prefix_matches(rule.net.bytes.data(), client.bytes.data() + 12, rule.prefix)) {
      return true;
    }
  }
  return false;
}

Endpoint endpoint_from(const sockaddr* address) {
  Endpoint e;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    e.family = 4;
    std::memcpy(e.bytes.data(), &v4->sin_addr, 4);
    e.port = ntohs(v4->sin_port);
  } else if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    e.family = 6;
    std::memcpy(e.bytes.data(), &v6->sin6_addr, 16);
    e.port = ntohs(v6->sin6_port);
    if (is_v4_mapped(e)) {  // a dual-stack listener's IPv4 client is an IPv4 flow
      std::memmove(e.bytes.data(), e.bytes.data() + 12, 4);
      std::memset(e.bytes.data() + 4, 0, 12);
      e.family = 4;
    }
  }
  return e;
}

std::string endpoint_text(const Endpoint& endpoint) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (endpoint.family == 4) inet_ntop(AF_INET, endpoint.bytes.data(), text, sizeof text);
  if (endpoint.family == 6) inet_ntop(AF_INET6, endpoint.bytes.data(), text, sizeof text);
  std::string host = endpoint.family == 6 ? "[" + std::string(text) + "]" : std::string(text);
  return host + ":" + std::to_string(endpoint.port);
}

std::vector<SocketAddress> resolve(const HostPort& hp, bool passive) {
  std::vector<SocketAddress> out;
  if (hp.host.empty() && passive) {
    SocketAddress any6;
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&any6.storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_addr = in6addr_any;
    v6->sin6_port = htons(hp.port);
    any6.length = sizeof(sockaddr_in6);
    out.push_back(any6);
    SocketAddress any4;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&any4.storage);
    v4->sin_family = AF_INET;
    v4->sin_addr.s_addr = htonl(INADDR_ANY);
    v4->sin_port = htons(hp.port);
    any4.length = sizeof(sockaddr_in);
    out.push_back(any4);
    return out;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  std::string port = std::to_string(hp.port);
  int rc = getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) throw Error("cannot resolve '" + hp.host + "': " + gai_strerror(rc));
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    SocketAddress sa;
    std::memcpy(&sa.storage, ai->ai_addr, ai->ai_addrlen);
    sa.length = ai->ai_addrlen;
    out.push_back(sa);
  }
  freeaddrinfo(found);
  if (out.empty()) throw Error("cannot resolve '" + hp.host + "': no address");
  return out;
}

}  // namespace tcpflow::proxy
