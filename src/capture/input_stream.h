// Buffered byte input for capture files. A file that starts with the zstd,
// bzip2 or xz magic number is read through a StreamDecoder (the first bytes
// are peeked without being consumed, see peek_bytes). Every other file goes
// through zlib's gz layer: it checks for the gzip magic (1f 8b) itself and
// passes any other input through unchanged, reading straight into our buffer. Parsers ask for `n`
// contiguous bytes with ensure(), look at data(), then consume() them; the
// bytes stay put until the next ensure(), which is what keeps a Record's view
// valid until the following next().
#pragma once
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "capture/packet_source.h"
#include "capture/read_ahead.h"
#include "util/stream_decoder.h"

namespace tcpflow::capture {

class InputStream {
 public:
  // Opens `path` ("-" is standard input). Throws tcpflow::Error naming the
  // file ("x.pcap: No such file or directory").
  // With `read_ahead`, a gzip-compressed regular file is read and inflated
  // on a second thread (see read_ahead.h); the bytes seen here are the same.
  explicit InputStream(const std::string& path, bool read_ahead = false);

  const std::string& name() const { return name_; }
  // True when the input is compressed (for gzip, known after the first ensure()).
  bool compressed() const;
  // "gzip", "zstd", "bzip2" or "xz" when compressed(), else "none".
  const char* compression() const;

  // Makes `n` contiguous bytes available at data(). Returns false when the
  // input ends (or fails) first; available() then says how many were left.
  // Grows the buffer only as data actually arrives, so a length field in a
  // hostile file cannot make us allocate more than about twice the bytes
  // really present.
  bool ensure(size_t n) {
    return end_ - pos_ >= n || refill(n);
  }
  const uint8_t* data() const { return buffer_.get() + pos_; }
  size_t available() const { return end_ - pos_; }
  void consume(size_t n) { pos_ += n; }

  // After ensure() failed: true for an I/O or decompression error, with
  // error() saying what; false for a clean end of input.
  bool failed() const { return !error_.empty(); }
  // True when a compressed stream stopped before its end (a truncated
  // .gz/.zst/.bz2/.xz file).
  bool gzip_truncated() const { return gzip_truncated_; }
  const std::string& error() const { return error_; }

  // Bytes taken from the file so far (read ahead of parsing by up to a
  // buffer) and its size when it is a regular file (else 0). Not with a
  // read-ahead thread on a pipe (none is started for one).
  InputPosition position() const;

 private:
  struct GzCloser {
    void operator()(gzFile_s* f) const { gzclose(f); }
  };

  bool refill(size_t n);
  int read_some(uint8_t* out, size_t len);
  void grow_to(size_t capacity);

  std::string name_;
  int fd_ = -1;             // owned by gz_; only asked for its offset
  uint64_t file_size_ = 0;  // regular files only
  std::unique_ptr<gzFile_s, GzCloser> gz_;
  std::unique_ptr<ReadAhead> read_ahead_;  // after gz_: joined before gz_ closes
  // zstd/bzip2/xz: reads fd_ (owned by gz_, which then never reads).
  std::unique_ptr<StreamDecoder> decoder_;
  CompressionFormat format_ = CompressionFormat::kNone;
  // Not a std::vector: growing must not zero-fill megabytes we overwrite.
  std::unique_ptr<uint8_t[]> buffer_;
  size_t capacity_ = 0;
  uint64_t total_read_ = 0;
  size_t pos_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  bool gzip_truncated_ = false;
  std::string error_;
};

}  // namespace tcpflow::capture
