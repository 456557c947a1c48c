#include "output/file_io.h"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

namespace tcpflow::output {

int write_fully(int fd, const uint8_t* data, size_t len, uint64_t offset) {
  while (len > 0) {
    ssize_t n = ::pwrite(fd, data, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;
    data += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return 0;
}

int write_fully(int fd, iovec* pieces, int count, uint64_t offset) {
  while (count > 0) {
    if (pieces->iov_len == 0) {
      ++pieces;
      --count;
      continue;
    }
    ssize_t n = ::pwritev(fd, pieces, count, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;
    offset += static_cast<uint64_t>(n);
    // Past the pieces written whole, into the one written in part.
    size_t done = static_cast<size_t>(n);
    while (count > 0 && done >= pieces->iov_len) {
      done -= pieces->iov_len;
      ++pieces;
      --count;
    }
    if (count > 0) {
      pieces->iov_base = static_cast<uint8_t*>(pieces->iov_base) + done;
      pieces->iov_len -= done;
    }
  }
  return 0;
}

bool read_fully(int fd, uint8_t* out, size_t len, uint64_t offset) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd, out + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) {
      std::memset(out + done, 0, len - done);
      break;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string describe_error(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

int close_stamped(int fd, const char* path, Timestamp mtime) {
  bool stamp_by_path = !mtime.is_zero();
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(mtime.sec);
  times[0].tv_nsec = times[1].tv_nsec = static_cast<long>(mtime.nsec);
  int close_error = 0;
  if (fd >= 0) {
    if (stamp_by_path && ::futimens(fd, times) == 0) stamp_by_path = false;
    if (::close(fd) != 0) close_error = errno;
  }
  if (stamp_by_path) ::utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW);
  return close_error;
}

}  // namespace tcpflow::output
