#include "app/signals.h"

#include <csignal>

namespace tcpflow::app {

namespace {
volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_hangup = 0;

extern "C" void on_stop_signal(int) { g_stop = 1; }
extern "C" void on_hangup_signal(int) { g_hangup = 1; }
}  // namespace

void install_signal_handlers() {
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  action.sa_handler = on_stop_signal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  action.sa_handler = on_hangup_signal;
  sigaction(SIGHUP, &action, nullptr);
  // A full file-size limit or a closed console pipe must come back as a write
  // error we can report, not kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
}

bool stop_requested() { return g_stop != 0; }

bool take_hangup_request() {
  if (!g_hangup) return false;
  g_hangup = 0;
  return true;
}

void request_stop() { g_stop = 1; }

}  // namespace tcpflow::app
