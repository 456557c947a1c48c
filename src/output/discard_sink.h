// -FX: a direction is named and recorded in the report, but its bytes are
// stored nowhere; only how far they reached is kept.
#pragma once
#include <cstdint>

#include "reassembly/stream_sink.h"

namespace tcpflow::output {

class DiscardSink : public reassembly::StreamSink {
 public:
  void write(uint64_t offset, ByteView data, Timestamp) override {
    if (offset + data.size() > size_) size_ = offset + data.size();
  }
  bool read_back(uint64_t, uint8_t*, size_t) override { return false; }
  bool shift(uint64_t delta) override {
    size_ += delta;
    return true;
  }
  reassembly::StreamEnd close(Timestamp) override {
    reassembly::StreamEnd end;
    end.size = size_;
    return end;
  }

 private:
  uint64_t size_ = 0;
};

}  // namespace tcpflow::output
