// The addresses of this host's interfaces, to tell which end of a captured
// connection is a socket here (and so can be attributed to a process).
#pragma once
#include <chrono>
#include <vector>

#include "decode/packet.h"

namespace tcpflow::attrib {

class LocalAddresses {
 public:
  // Reads the interfaces now (getifaddrs); `refresh_after` bounds how stale
  // the list may get, since addresses come and go on a live host.
  explicit LocalAddresses(std::chrono::seconds refresh_after = std::chrono::seconds(10));
  // For tests: a fixed list, never refreshed.
  explicit LocalAddresses(std::vector<decode::IpAddress> fixed);

  // Loopback addresses (127.0.0.0/8, ::1) are always local.
  bool contains(const decode::IpAddress& address);

 private:
  void refresh();

  std::vector<decode::IpAddress> addresses_;
  std::chrono::seconds refresh_after_{0};
  std::chrono::steady_clock::time_point read_at_{};
  bool fixed_ = false;
};

}  // namespace tcpflow::attrib
