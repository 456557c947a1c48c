// An inherited file descriptor that gets one line per event
// (-S tcp_alert_fd, -S http_alert_fd). Writing never stops the run: the first
// failure is reported on stderr and the fd is not used again.
#pragma once
#include <string>
#include <utility>

namespace tcpflow {

// Throws tcpflow::Error naming `setting` unless `fd` is open for writing.
void check_alert_fd(int fd, const std::string& setting);

class AlertFd {
 public:
  // `fd` < 0: off. `setting` names it in messages, e.g. "tcp_alert_fd".
  AlertFd(int fd, std::string setting) : fd_(fd), setting_(std::move(setting)) {}
  bool on() const { return fd_ >= 0 && !failed_; }
  // Writes the whole line (EINTR-safe).
  void write(const std::string& line);

 private:
  int fd_;
  std::string setting_;
  bool failed_ = false;
};

}  // namespace tcpflow
