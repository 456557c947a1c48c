// Decompressors for captures packed with zstd, bzip2 or xz, picked by the
// first bytes of the file (a gzip capture stays with zlib's gz layer in
// InputStream, so format_from_magic never says kGzip), and for flow files
// compressed as they were written (output/streamed_compression, any codec).
// Each reads the raw bytes from a descriptor it does not own and behaves like
// gzread(): decoded bytes (> 0), 0 at the end, -1 on an error. Concatenated
// streams (what `cat a.zst b.zst` or pzstd/pbzip2/pxz write) are read as one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tcpflow {

enum class CompressionFormat { kNone, kZstd, kBzip2, kXz, kGzip };

// The format whose magic number starts `bytes` (kNone when `len` is too short
// to tell or nothing matches). Needs at most kMaxMagicLen bytes.
constexpr size_t kMaxMagicLen = 6;
CompressionFormat format_from_magic(const uint8_t* bytes, size_t len);
const char* format_name(CompressionFormat format);

class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  StreamDecoder(const StreamDecoder&) = delete;
  StreamDecoder& operator=(const StreamDecoder&) = delete;

  int read(uint8_t* out, size_t len);
  // After read() returned -1: why ("xz: data is corrupt", or the read error).
  const std::string& error() const { return error_; }
  // After read() returned 0: the input stopped inside a compressed stream.
  bool truncated() const { return truncated_; }

 protected:
  explicit StreamDecoder(int fd);
  // Decodes from `in` into `out`, advancing both and shrinking the lengths.
  // `at_eof`: no input follows what is in `in`. False (with fail()) on
  // corrupt input.
  virtual bool decode(const uint8_t*& in, size_t& in_len, uint8_t*& out, size_t& out_len,
                      bool at_eof) = 0;
  // True when the input decoded so far ends exactly at the end of a stream.
  virtual bool at_boundary() const = 0;
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

 private:
  bool refill();

  int fd_;
  std::unique_ptr<uint8_t[]> in_;
  size_t in_pos_ = 0;
  size_t in_end_ = 0;
  bool eof_ = false;
  bool truncated_ = false;
  std::string error_;
};

// Throws tcpflow::Error when the library cannot set up (out of memory).
std::unique_ptr<StreamDecoder> make_stream_decoder(CompressionFormat format, int fd);

// Reads the first `len` bytes of `fd` without consuming them: pread on a
// regular file (from its current offset), tee(2) on a pipe. Returns how many
// it saw (0 for a terminal or socket, which are never sniffed).
size_t peek_bytes(int fd, uint8_t* out, size_t len);

}  // namespace tcpflow
