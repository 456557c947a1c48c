#include "util/alert_fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/error.h"

namespace tcpflow {

void check_alert_fd(int fd, const std::string& setting) {
  int flags = ::fcntl(fd, F_GETFL);
  std::string what = "-S " + setting + "=" + std::to_string(fd) + ": file descriptor " +
                     std::to_string(fd) + " is not open";
  if (flags < 0) throw Error(what);
  if ((flags & O_ACCMODE) == O_RDONLY) throw Error(what + " for writing");
}

void AlertFd::write(const std::string& line) {
  if (!on()) return;
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // The reader went away: say so once and carry on recording.
      std::fprintf(stderr, "tcpflow: -S %s=%d: %s; no more alerts are written\n",
                   setting_.c_str(), fd_, n < 0 ? std::strerror(errno) : "short write");
      failed_ = true;
      return;
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace tcpflow
