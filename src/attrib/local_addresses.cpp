#include "attrib/local_addresses.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace tcpflow::attrib {

namespace {

bool loopback(const decode::IpAddress& a) {
  if (a.family == 4) return a.bytes[0] == 127;
  if (a.family != 6) return false;
  for (size_t i = 0; i < 15; ++i) {
    if (a.bytes[i] != 0) return false;
  }
  return a.bytes[15] == 1;
}

}  // namespace

LocalAddresses::LocalAddresses(std::chrono::seconds refresh_after) : refresh_after_(refresh_after) {
  refresh();
}

LocalAddresses::LocalAddresses(std::vector<decode::IpAddress> fixed)
    : addresses_(std::move(fixed)), fixed_(true) {}

void LocalAddresses::refresh() {
  read_at_ = std::chrono::steady_clock::now();
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return;  // keep the old list
  addresses_.clear();
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    decode::IpAddress a;
    if (i->ifa_addr->sa_family == AF_INET) {
      a.family = 4;
      const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      std::memcpy(a.bytes.data(), &in->sin_addr, 4);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      a.family = 6;
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      std::memcpy(a.bytes.data(), &in6->sin6_addr, 16);
    } else {
      continue;
    }
    addresses_.push_back(a);
  }
  ::freeifaddrs(list);
}

bool LocalAddresses::contains(const decode::IpAddress& address) {
  if (loopback(address)) return true;
  if (std::find(addresses_.begin(), addresses_.end(), address) != addresses_.end()) return true;
  // An unknown address may be a new one: look again, at most every refresh_after_.
  if (!fixed_ && std::chrono::steady_clock::now() - read_at_ >= refresh_after_) {
    refresh();
    return std::find(addresses_.begin(), addresses_.end(), address) != addresses_.end();
  }
  return false;
}

}  // namespace tcpflow::attrib
