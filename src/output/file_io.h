// The system-call sequences every flow file goes through, shared by the
// direct file writer (the packet thread) and the background writer threads.
#pragma once
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/timestamp.h"

namespace tcpflow::output {

// pwrite until all of data is on disk, retrying short writes and EINTR.
// Returns 0, or the errno of the failure (ENOSPC for a write of 0 bytes).
int write_fully(int fd, const uint8_t* data, size_t len, uint64_t offset);
// The same for pieces written one after another (pwritev): 0 or an errno.
// `pieces` is used up as it goes.
int write_fully(int fd, iovec* pieces, int count, uint64_t offset);

// preads len bytes at offset into out, retrying short reads and EINTR; a
// sparse tail never written reads as zeros. False on a read error.
bool read_fully(int fd, uint8_t* out, size_t len, uint64_t offset);

// Closes fd (when >= 0) after stamping the file with mtime (tcpflow stamps each
// flow file with its last packet's time). An evicted file (fd < 0) is stamped
// by path, which costs a second lookup, so the open descriptor is preferred.
// A zero mtime leaves the file's times alone. Returns 0 or close's errno.
int close_stamped(int fd, const char* path, Timestamp mtime);

// "what: strerror(err)", the form every flow file failure is reported in.
std::string describe_error(const char* what, int err);

}  // namespace tcpflow::output
