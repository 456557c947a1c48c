// --compress when nothing reads the plain files (no scanners): a writer
// thread compresses a flow file's bytes as they come, straight into
// NAME.zst (.gz, .bz2), and no plain file is written, read back or removed.
// That halves the file work of a compressed run.
//
// Many flows are open at once and a compressor's state is large (zstd's
// tables are megabytes), so no flow keeps one: a file's bytes in order
// gather in memory (within a budget per writer thread) and every
// kStreamBytes of them become a stream of their own in the file, compressed
// with the thread's one compressor. gzip, zstd and bzip2 all read
// concatenated streams as one (`zcat`, `zstd -d`, `bzip2 -d`, Python's
// modules). Gathering matters: a write job is often one TCP segment, and
// compressing 1.4 KB streams is 4 times slower than 128 KB ones, and
// compresses worse, as each stream starts with no history.
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
  uint64_t next = 0;        // plain bytes taken in order: compressed, then gathered
  uint64_t compressed = 0;  // bytes of the compressed file
  std::vector<uint8_t> gathered;  // the last of `next`'s bytes, not compressed yet
  std::map<uint64_t, std::vector<uint8_t>> beyond_hole;  // by offset, none overlapping
  size_t beyond_hole_bytes = 0;
};

// One writer thread's compressor for the files it streams.
class StreamedCompression {
 public:
  enum class Outcome { kWritten, kStage, kFailed };
  // Gathered bytes become a stream once a file has this many.
  static constexpr size_t kStreamBytes = size_t{128} << 10;

  // `budget`: bytes beyond holes this thread keeps, over all its files;
  // `gathering_budget`: the gathering buffers' memory, over all its files
  // (past it, a file's write compresses what the file gathered at once).
  // Throws tcpflow::Error when the library cannot set up.
  StreamedCompression(const CompressionOptions& options, size_t budget,
                      size_t gathering_budget);

  const char* suffix() const { return codec_suffix(options_.codec); }

  // Plain bytes `data` at `offset` of `file`, whose compressed form is
  // open on `fd`. kStage: the file must be staged first (nothing written);
  // kFailed: `error` says why.
  Outcome write(StreamedFile& file, int fd, ByteView data, uint64_t offset, std::string& error);
  // Ends the file: holes before bytes kept beyond them become zeros, and
  // what is gathered is compressed. An empty file gets one empty stream,
  // so it still decompresses.
  bool finish(StreamedFile& file, int fd, std::string& error);
  // Decompresses what `compressed_fd` holds into `plain_fd` and writes the
  // gathered bytes and those kept beyond holes at their offsets; `file` is
  // then empty.
  bool stage(StreamedFile& file, int compressed_fd, int plain_fd, std::string& error);
  // Forgets `file`'s kept and gathered bytes (the file failed or was dropped).
  void forget(StreamedFile& file);

  // Memory held for files, for tests: bytes beyond holes, and the
  // capacity of the gathering buffers.
  size_t kept_bytes() const { return kept_; }
  size_t gathering_bytes() const { return gathering_; }

 private:
  // Takes the next bytes in order: gathered, or compressed when enough are.
  bool take(StreamedFile& file, int fd, ByteView data, std::string& error);
  bool compress_gathered(StreamedFile& file, int fd, std::string& error);
  bool compress(StreamedFile& file, int fd, ByteView data, std::string& error);
  bool compress_kept(StreamedFile& file, int fd, bool fill_holes, std::string& error);
  void release_gathered(StreamedFile& file);

  CompressionOptions options_;
  std::unique_ptr<Compressor> compressor_;
  size_t budget_;
  size_t gathering_budget_;
  size_t kept_ = 0;       // bytes beyond holes, over all files
  size_t gathering_ = 0;  // capacity of the gathering buffers, over all files
  std::vector<std::vector<uint8_t>> spares_;  // empty gathering buffers, for reuse
  size_t spare_bytes_ = 0;                    // their capacity
};

}  // namespace tcpflow::output
