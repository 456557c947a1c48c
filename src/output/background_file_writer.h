// Flow files written on writer threads (-j 2 and up): a file's creation,
// writes and close become jobs for the BackgroundWriter, and the packet
// thread only copies bytes into a batch. To read bytes back (an overlap
// compared) it copies them from the batch of the job that wrote them while
// that batch is in memory, and otherwise waits for that job and reads the
// file (first staging a file compressed while written).
#pragma once
#include <memory>
#include <string>

#include "output/background_writer.h"
#include "output/fd_cache.h"
#include "output/file_writer.h"

namespace tcpflow::output {

class BackgroundFileWriter : public FileWriter {
 public:
  // `read_back_cache` holds the packet thread's read-back descriptors.
  BackgroundFileWriter(const BackgroundWriter::Limits& limits, FdCache& read_back_cache)
      : writer_(limits), cache_(read_back_cache) {}

  std::unique_ptr<OutputFile> open(std::string path, OutputFile::Owner& owner) override;
  uint64_t submitted() const override { return writer_.submitted(); }
  uint64_t finished() override { return writer_.finished(); }
  void wait_for(uint64_t ticket) override { writer_.wait_for(ticket); }
  void flush() override { writer_.flush(); }
  std::optional<std::string> take_error(uint64_t ticket) override {
    return writer_.take_error(ticket);
  }
  std::optional<WrittenDigest> take_digest(uint64_t ticket) override {
    return writer_.take_digest(ticket);
  }
  std::optional<CompressedFile> take_compressed(const std::string& path) override {
    return writer_.take_compressed(path);
  }
  size_t peak_open() const override { return writer_.peak_open(); }
  size_t evictions() const override { return writer_.evictions(); }

 private:
  BackgroundWriter writer_;
  FdCache& cache_;
};

}  // namespace tcpflow::output
