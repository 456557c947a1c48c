// Flow files written on writer threads (-j 2 and up): a file's creation,
// writes and close become jobs for the BackgroundWriter, and the packet
// thread only copies bytes into a batch. The packet thread opens a file
// itself only to read bytes back (an overlap compared), and first waits
// for the job that last wrote them.
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
  size_t peak_open() const override { return writer_.peak_open(); }
  size_t evictions() const override { return writer_.evictions(); }

 private:
  BackgroundWriter writer_;
  FdCache& cache_;
};

}  // namespace tcpflow::output
