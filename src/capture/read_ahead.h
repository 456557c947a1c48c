// Reads and gunzips a compressed capture file on a second thread, a few
// chunks ahead of the thread that parses it (-j 2 and more). The parser asks for bytes
// with read(), which behaves like gzread(): the same bytes in the same
// order, so the output cannot depend on the thread count. Only regular files
// are read ahead: a pipe or terminal could block the reader forever, and
// stopping (SIGINT, end of the run) must always be able to join it.
#pragma once
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "util/bounded_queue.h"

namespace tcpflow::capture {

class ReadAhead {
 public:
  // `gz` stays owned by the caller and must outlive this object; from now on
  // only the reader thread touches it.
  explicit ReadAhead(gzFile gz);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // Like gzread: bytes copied (> 0), 0 at the end, -1 on an error.
  int read(uint8_t* out, size_t len);
  // Valid once read() returned something: the input was not gzip.
  bool direct() const { return direct_; }
  // After read() returned 0 or -1: gzerror()'s code and text at that point.
  int z_code() const { return current_.z_code; }
  const std::string& z_text() const { return current_.z_text; }

 private:
  struct Chunk {
    std::unique_ptr<uint8_t[]> data;
    size_t size = 0;
    size_t used = 0;     // bytes already handed to read()
    int status = 1;      // 1 more to come, 0 end, -1 error (after the bytes)
    bool direct = true;  // gzdirect() after this chunk was read
    int z_code = Z_OK;
    std::string z_text;
  };

  void run();
  void fill(Chunk& chunk);

  gzFile gz_;
  BoundedQueue<Chunk> empty_;
  BoundedQueue<Chunk> full_;
  Chunk current_;
  bool has_current_ = false;
  bool direct_ = true;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace tcpflow::capture
