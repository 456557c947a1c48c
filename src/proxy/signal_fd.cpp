#include "proxy/signal_fd.h"

#include <sys/signalfd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "util/error.h"

namespace tcpflow::proxy {

namespace {
sigset_t proxy_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

void block_proxy_signals() {
  sigset_t set = proxy_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

SignalFd::SignalFd() {
  sigset_t set = proxy_signals();
  fd_ = UniqueFd(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd_.valid()) throw Error(std::string("proxy: signalfd: ") + std::strerror(errno));
}

int SignalFd::take() {
  signalfd_siginfo info{};
  ssize_t n = read(fd_.get(), &info, sizeof info);
  if (n != static_cast<ssize_t>(sizeof info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace tcpflow::proxy
