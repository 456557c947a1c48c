// Console output (-c, -C, -s, -B, -D, -0, -g, -J): each direction's bytes are
// printed as they become in order (the reassembler only hands over
// contiguous bytes), so retransmissions print nothing and reordered data
// prints once. Every chunk is written whole under one lock (the -L named
// semaphore between processes), so two flows never interleave inside a chunk.
#pragma once
#include <semaphore.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "flow/flow_info.h"
#include "output/console_options.h"
#include "reassembly/stream_sink.h"

namespace tcpflow::output {

class ConsoleWriter {
 public:
  // Throws tcpflow::Error if the -L semaphore cannot be opened.
  ConsoleWriter(std::FILE* out, const ConsoleOptions& options);
  ~ConsoleWriter();
  ConsoleWriter(const ConsoleWriter&) = delete;
  ConsoleWriter& operator=(const ConsoleWriter&) = delete;

  void print_data(const flow::FlowInfo& info, const std::string& label, uint64_t offset,
                  ByteView data, Timestamp ts);
  void print_gap(const flow::FlowInfo& info, const std::string& label, uint64_t offset,
                 uint64_t length);
  bool failed() const { return failed_; }

 private:
  void emit(const std::string& chunk);
  void render_text(std::string& out, ByteView data) const;
  void render_hexdump(std::string& out, uint64_t offset, ByteView data) const;
  void render_json(std::string& out, const flow::FlowInfo& info, const std::string& label,
                   const char* type, uint64_t offset, uint64_t length, Timestamp ts,
                   ByteView data) const;
  const char* color_of(const flow::FlowInfo& info) const;

  std::FILE* out_;
  ConsoleOptions options_;
  sem_t* semaphore_ = nullptr;
  bool failed_ = false;
  std::string scratch_;
};

class ConsoleSink : public reassembly::StreamSink {
 public:
  ConsoleSink(ConsoleWriter& writer, const flow::FlowInfo& info, std::string label)
      : writer_(writer), info_(info), label_(std::move(label)) {}

  void write(uint64_t offset, ByteView data, Timestamp ts) override;
  bool read_back(uint64_t, uint8_t*, size_t) override { return false; }
  bool shift(uint64_t) override { return false; }  // printed bytes cannot move
  reassembly::StreamEnd close(Timestamp) override {
    reassembly::StreamEnd end;
    end.size = printed_end_;
    return end;
  }

 private:
  ConsoleWriter& writer_;
  const flow::FlowInfo& info_;
  std::string label_;
  uint64_t printed_end_ = 0;
};

}  // namespace tcpflow::output
