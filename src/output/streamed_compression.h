// --compress when nothing reads the plain files (no scanners): a writer
// thread compresses a flow file's bytes as they come, straight into
// NAME.zst (.gz, .bz2), and no plain file is written, read back or removed.
// That halves the file work of a compressed run.
//
// Many flows are open at once and a compressor's state is large (zstd's
// tables are megabytes), so no flow keeps one: each write job becomes a
// stream of its own in the file, compressed with the thread's one
// compressor. gzip, zstd and bzip2 all read concatenated streams as one
// (`zcat`, `zstd -d`, `bzip2 -d`, Python's modules).
//
// Reassembly writes in offset order except for holes: bytes beyond a hole
// wait in memory (within a budget per writer thread) until the hole fills
// or the file closes, when holes become zeros, as a sparse plain file reads.
// Anything else (bytes rewritten below what is compressed, a read-back, the
// budget spent) stages the file: what is compressed so far is decompressed
// into the plain NAME, which is written from then on and compressed whole
// at its close (output/file_compressor).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "output/file_compressor.h"
#include "util/byte_view.h"

namespace tcpflow::output {

// One flow file's state, kept by the writer thread that owns the file.
struct StreamedFile {
  uint64_t next = 0;        // plain bytes compressed so far
  uint64_t compressed = 0;  // bytes of the compressed file
  std::map<uint64_t, std::vector<uint8_t>> beyond_hole;  // by offset, none overlapping
  size_t beyond_hole_bytes = 0;
};

// One writer thread's compressor for the files it streams.
class StreamedCompression {
 public:
  enum class Outcome { kWritten, kStage, kFailed };

  // `budget`: bytes beyond holes this thread keeps, over all its files.
  // Throws tcpflow::Error when the library cannot set up.
  StreamedCompression(const CompressionOptions& options, size_t budget);

  const char* suffix() const { return codec_suffix(options_.codec); }

  // Plain bytes `data` at `offset` of `file`, whose compressed form is
  // open on `fd`. kStage: the file must be staged first (nothing written);
  // kFailed: `error` says why.
  Outcome write(StreamedFile& file, int fd, ByteView data, uint64_t offset, std::string& error);
  // Ends the file: holes before bytes kept beyond them become zeros. An
  // empty file gets one empty stream, so it still decompresses.
  bool finish(StreamedFile& file, int fd, std::string& error);
  // Decompresses what `compressed_fd` holds into `plain_fd` and writes the
  // bytes kept beyond holes at their offsets; `file` is then empty.
  bool stage(StreamedFile& file, int compressed_fd, int plain_fd, std::string& error);
  // Forgets `file`'s kept bytes (the file failed or was dropped).
  void forget(StreamedFile& file);

 private:
  bool compress(StreamedFile& file, int fd, ByteView data, std::string& error);
  bool compress_kept(StreamedFile& file, int fd, bool fill_holes, std::string& error);

  CompressionOptions options_;
  std::unique_ptr<Compressor> compressor_;
  size_t budget_;
  size_t kept_ = 0;  // bytes beyond holes, over all files
};

}  // namespace tcpflow::output
