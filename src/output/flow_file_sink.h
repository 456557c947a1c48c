// One flow direction on its way to its file: contiguous bytes are coalesced
// in a write buffer (from WriteBuffers, growing with the flow) and handed to the OutputFile at their
// 64-bit offset; anything else is handed over in place, so holes stay
// sparse. Which thread does the system calls is the FileWriter's business.
// With -I a .findx index (offset|time|length, sorted by offset) is written
// beside the file when it closes.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "output/file_writer.h"
#include "output/write_buffers.h"
#include "reassembly/stream_sink.h"
#include "util/stats.h"
#include "util/timestamp.h"

namespace tcpflow::output {

class FlowFileSink : public reassembly::StreamSink,
                     private OutputFile::Owner,
                     private WriteBuffers::Holder {
 public:
  FlowFileSink(FileWriter& writer, WriteBuffers& buffers, std::string path, bool write_index,
               Stats& stats);
  ~FlowFileSink() override;
  FlowFileSink(const FlowFileSink&) = delete;
  FlowFileSink& operator=(const FlowFileSink&) = delete;

  void write(uint64_t offset, ByteView data, Timestamp ts) override;
  bool read_back(uint64_t offset, uint8_t* out, size_t len) override;
  bool shift(uint64_t delta) override;
  void quiesce(Timestamp last_ts) override;
  // Flushes, closes, writes the index and stamps the file with `last_ts`.
  reassembly::StreamEnd close(Timestamp last_ts) override;

  const std::string& path() const { return file_->path(); }
  uint64_t size() const { return size_; }
  bool failed() const { return failed_; }

 private:
  struct IndexEntry {
    uint64_t offset;
    Timestamp ts;
    uint64_t length;
  };

  bool flush_buffer();
  bool write_at(uint64_t offset, const uint8_t* data, size_t len);
  void fail(const std::string& error);
  void before_descriptor_closed() override;
  void give_back_buffer() override;
  void drop_buffer();
  bool take_first_buffer(size_t first_write);
  bool grow_tiny_buffer(size_t needed);
  void grow_buffer_after_fill();
  size_t buffer_capacity() const {
    return buffer_ ? WriteBuffers::capacity(buffer_tier_) : 0;
  }
  void write_index();

  WriteBuffers& buffers_;
  std::unique_ptr<OutputFile> file_;
  Stats& stats_;
  bool write_index_;
  bool closed_ = false;
  bool failed_ = false;
  WriteBuffers::Tier buffer_tier_ = WriteBuffers::Tier::kTiny;  // while buffer_ is set
  uint32_t buffer_fills_ = 0;  // times contiguous bytes filled the buffer
  std::string error_;
  uint64_t size_ = 0;
  WriteBuffers::Buffer buffer_;
  size_t buffer_used_ = 0;
  uint64_t buffer_offset_ = 0;
  std::vector<IndexEntry> index_;
};

}  // namespace tcpflow::output
