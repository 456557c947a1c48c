// How flow files reach the disk. A FlowFileSink buffers a direction's bytes
// and hands them to its OutputFile; the FileWriter that made the file does
// the system calls: DirectFileWriter at once on the packet thread,
// BackgroundFileWriter on writer threads (-j 2 and up).
//
// Tickets, the one rule of ordering. Every job a background writer is given
// (create, write, close) gets a ticket, 1, 2, 3, ... in submission order, and
// finished() is the highest ticket up to which every job is done. A file's
// close() returns the ticket that completes it: its bytes are on disk, and
// its failure (if any) can be taken with take_error(), once finished()
// reaches that ticket. So whatever must only see complete files (scanners,
// the report, tcp_cmd) waits for its ticket: app/closed_flows does that for
// closed flows. A direct writer finishes every job as it is submitted: its
// tickets are all 0, which finished() always covers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "output/file_compressor.h"
#include "output/file_io.h"
#include "util/byte_view.h"
#include "util/timestamp.h"

namespace tcpflow::output {

// One flow file. Calls come from the packet thread only.
class OutputFile {
 public:
  // Told before the writer takes the file's descriptor back (too many files
  // open): the owner writes out what it buffers and may give its buffer back.
  class Owner {
   public:
    virtual ~Owner() = default;
    virtual void before_descriptor_closed() = 0;
  };

  virtual ~OutputFile() = default;

  const std::string& path() const { return path_; }

  // Writes `data` at `offset`. False when it failed: error() says why.
  virtual bool write(uint64_t offset, ByteView data) = 0;
  // Reads back bytes written earlier (a sparse tail reads as zeros); false
  // when they cannot be read. Not a failure of the file.
  virtual bool read(uint64_t offset, uint8_t* out, size_t len) = 0;
  // Stamps the file with `mtime` (unless zero) and closes it. Returns the
  // ticket that completes it; false in `ok` when closing failed (error()).
  virtual uint64_t close(Timestamp mtime, bool& ok) = 0;

  const std::string& error() const { return error_; }

 protected:
  explicit OutputFile(std::string path) : path_(std::move(path)) {}
  // Sets error() to "what: strerror(err)" and returns false.
  bool failed(const char* what, int err) {
    error_ = describe_error(what, err);
    return false;
  }

 private:
  std::string path_;
  std::string error_;
};

// A flow file's MD5, taken by its writer as it wrote the file's `size`
// bytes one after the other.
struct WrittenDigest {
  std::string md5;  // lowercase hex
  uint64_t size = 0;
};

class FileWriter {
 public:
  virtual ~FileWriter() = default;

  // The file at `path`, created with its first write rather than when bytes
  // start to wait in the owner's buffer: a short direction is then created,
  // written, stamped and closed in one go, while its inode is still in the
  // cache.
  virtual std::unique_ptr<OutputFile> open(std::string path, OutputFile::Owner& owner) = 0;

  // The ticket of the latest job given to the writer.
  virtual uint64_t submitted() const = 0;
  // Every ticket up to this one has finished.
  virtual uint64_t finished() = 0;
  // Blocks until `ticket` (and so every earlier one) has finished.
  virtual void wait_for(uint64_t ticket) = 0;
  // Hands over jobs waiting to fill a batch: a slow capture may not fill
  // one for a long time.
  virtual void flush() = 0;
  // The failure kept under a finished close ticket, removed as it is taken.
  virtual std::optional<std::string> take_error(uint64_t ticket) = 0;
  // --compress: a writer with threads of its own compresses each file as
  // part of its close job (the plain file stays, for the scanners); its
  // result is taken here by path once the close ticket has finished.
  // Nothing: the writer did not compress it, and the caller does.
  virtual std::optional<CompressedFile> take_compressed(const std::string& path) {
    (void)path;
    return std::nullopt;
  }

  // -e md5 (Limits::digest_md5 of a writer with threads): the MD5 of a
  // file its writer wrote from start to end in order, kept under its
  // finished close ticket and removed as it is taken. Nothing: the file
  // was not written in order (a gap, an overwrite) and must be read.
  virtual std::optional<WrittenDigest> take_digest(uint64_t ticket) {
    (void)ticket;
    return std::nullopt;
  }

  // Descriptor figures of the writer's own threads, for the run summary
  // (the packet thread's FdCache counts its own).
  virtual size_t peak_open() const = 0;
  virtual size_t evictions() const = 0;
};

}  // namespace tcpflow::output
