// What classic pcap and pcapng readers share: the input stream, the BPF
// filter, and how the end of input is reported (clean end, truncation, read
// error). Subclasses implement read_record() without filtering.
#pragma once
#include <string>
#include <utility>

#include "capture/bpf_filter.h"
#include "capture/input_stream.h"
#include "capture/packet_source.h"

namespace tcpflow::capture {

class FileSource : public PacketSource {
 public:
  ReadStatus next(Record& out) override {
    for (;;) {
      ReadStatus status = read_record(out);
      if (status != ReadStatus::kPacket || filter_.matches(out)) return status;
    }
  }
  const std::string& error() const override { return error_; }
  bool truncated() const override { return truncated_; }
  InputPosition position() const override { return in_.position(); }

 protected:
  FileSource(InputStream&& in, const std::string& bpf)
      : in_(std::move(in)), filter_(bpf, in_.name()) {}

  virtual ReadStatus read_record(Record& out) = 0;

  // Call when in_.ensure() failed: distinguishes a clean end of input (only
  // when `at_boundary` and nothing is left over) from truncation and read
  // errors. Every later call returns the same status.
  ReadStatus input_ended(bool at_boundary);
  // Ends the input with kError and `reason` (malformed data).
  ReadStatus fail(std::string reason);
  // Status to repeat once the input has ended; kPacket while it has not.
  ReadStatus finished() const { return finished_; }

  InputStream in_;
  BpfFilter filter_;

 private:
  std::string error_;
  bool truncated_ = false;
  ReadStatus finished_ = ReadStatus::kPacket;
};

}  // namespace tcpflow::capture
