// SIGINT, SIGTERM and SIGHUP as readable events for the proxy's event loop
// (a signalfd), instead of flags set by a handler. block_proxy_signals()
// must run before any thread starts, so that every thread leaves them to
// the descriptor.
#pragma once
#include "util/unique_fd.h"

namespace tcpflow::proxy {

void block_proxy_signals();

class SignalFd {
 public:
  SignalFd();  // throws tcpflow::Error
  int fd() const { return fd_.get(); }
  // The next pending signal number, or 0 when none is waiting.
  int take();

 private:
  UniqueFd fd_;
};

}  // namespace tcpflow::proxy
