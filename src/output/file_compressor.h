// --compress: turns a complete flow file into NAME.gz / NAME.zst / NAME.bz2.
// Reassembly writes a direction's file out of order (late segments, bytes
// read back to compare overlaps, the shift when a lower sequence arrives),
// so the plain file stays the staging area while the flow is open; once it
// is complete (closed, scanned) it is compressed in one streaming pass and
// the plain file goes. See doc/ARCHITECTURE.md, "Compressed flow files".
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

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

// A streaming compressor writing to a descriptor it does not own.
class Compressor {
 public:
  virtual ~Compressor() = default;
  // Compresses `data`; with `finish`, ends the stream too. False on a
  // failure, error() saying what.
  virtual bool feed(ByteView data, bool finish) = 0;
  const std::string& error() const { return error_; }
  uint64_t written() const { return written_; }

 protected:
  explicit Compressor(int fd) : fd_(fd) {}
  bool emit(const uint8_t* data, size_t len);
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }

 private:
  int fd_;
  uint64_t written_ = 0;
  std::string error_;
};

// Throws tcpflow::Error when the library cannot set up.
std::unique_ptr<Compressor> make_compressor(const CompressionOptions& options, int fd);

struct CompressedFile {
  bool ok = false;
  std::string path;          // the compressed file
  uint64_t original = 0;     // bytes read from the plain file
  uint64_t compressed = 0;   // bytes of the compressed file
  std::string error;         // when !ok
};

// Compresses `plain` into `plain + suffix` (replacing any old one) with the
// plain file's mtime. The plain file is left for the caller to remove.
CompressedFile compress_file(const std::string& plain, const CompressionOptions& options);

}  // namespace tcpflow::output
