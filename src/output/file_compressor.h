// --compress: turns a complete flow file into NAME.gz / NAME.zst / NAME.bz2
// (files that scanners read, or that were staged), and the compressors
// that output/streamed_compression uses while writing. See
// doc/ARCHITECTURE.md, "Compressed flow files".
#pragma once
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "output/directory_locks.h"
#include "util/byte_view.h"

namespace tcpflow::output {

enum class Codec { kNone, kGzip, kZstd, kBzip2 };

// "gzip", "zstd", "bzip2" (nullopt for anything else).
std::optional<Codec> parse_codec(const std::string& name);
const char* codec_name(Codec codec);
// ".gz", ".zst", ".bz2" ("" for kNone).
const char* codec_suffix(Codec codec);
// The library's level range; 0 means the library's default.
int codec_min_level(Codec codec);
int codec_max_level(Codec codec);

struct CompressionOptions {
  Codec codec = Codec::kNone;
  int level = 0;  // 0: the codec's default
};

// A streaming compressor writing to a descriptor it does not own, used for
// one stream after another: setting one up (tables, buffers) costs more
// than compressing a typical flow file.
class Compressor {
 public:
  virtual ~Compressor() = default;
  // Starts a stream of `size` bytes into `fd`, written from offset `at`
  // (a stream may follow others in the same file: the codecs read
  // concatenated streams as one).
  void begin(int fd, uint64_t size, uint64_t at = 0);
  // Compresses `data`; with `finish`, ends the stream too. False on a
  // failure, error() saying what.
  virtual bool feed(ByteView data, bool finish) = 0;
  const std::string& error() const { return error_; }
  uint64_t written() const { return written_; }

 protected:
  Compressor() = default;
  virtual void restart(uint64_t size) = 0;
  bool emit(const uint8_t* data, size_t len);
  bool emit(iovec* pieces, int count);  // pieces one after another
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

 private:
  int fd_ = -1;
  uint64_t at_ = 0;
  uint64_t written_ = 0;
  std::string error_;
};

// Throws tcpflow::Error when the library cannot set up.
std::unique_ptr<Compressor> make_compressor(const CompressionOptions& options);

struct CompressedFile {
  bool ok = false;
  std::string path;          // the compressed file
  uint64_t original = 0;     // bytes read from the plain file
  uint64_t compressed = 0;   // bytes of the compressed file
  bool plain_left = true;    // the plain file is there, for the caller to remove
  std::string error;         // when !ok
};

// Compresses files one after another with one compressor and one buffer
// (a thread's own: not shared between threads).
class FileCompressor {
 public:
  // Throws tcpflow::Error when the library cannot set up. With `hold` (the
  // calling thread's), each compressed file is created under its
  // directory's lock, released before compressing.
  explicit FileCompressor(const CompressionOptions& options, DirectoryHold* hold = nullptr);
  ~FileCompressor();
  FileCompressor(const FileCompressor&) = delete;
  FileCompressor& operator=(const FileCompressor&) = delete;

  // Compresses `plain` into `plain + suffix` (replacing any old one) with
  // the plain file's mtime. The plain file is left for the caller to remove.
  CompressedFile compress(const std::string& plain);

 private:
  CompressionOptions options_;
  DirectoryHold* hold_;
  std::unique_ptr<Compressor> compressor_;
  std::vector<uint8_t> chunk_;
};

// One file with a compressor of its own.
CompressedFile compress_file(const std::string& plain, const CompressionOptions& options);

}  // namespace tcpflow::output
