// --merge-inputs: several capture files read as one, in packet-time order
// (what mergecap does), for captures of several taps or interfaces whose
// times overlap. Memory stays bounded: each input holds only its next record,
// read in place (a source's record stays valid until that source is asked
// again, and only the input whose record was handed out is ever advanced).
// Records with equal times come in input order (the earlier -r first), and
// each input's own order is kept even when its times go backwards, so the
// result does not depend on anything but the inputs and their order.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "capture/packet_source.h"

namespace tcpflow::capture {

class MergedSource : public PacketSource {
 public:
  // Told about an input that failed part way (its error text and whether it
  // ended inside a record); the other inputs go on.
  using InputError = std::function<void(size_t input, const std::string& error, bool truncated)>;

  MergedSource(std::vector<std::unique_ptr<PacketSource>> inputs, InputError on_error);

  ReadStatus next(Record& out) override;
  const std::string& error() const override { return error_; }
  bool truncated() const override { return false; }
  int primary_link_type() const override;
  uint32_t snaplen() const override;

  // The input the last record came from (index into the constructor's vector).
  size_t current_input() const { return current_; }
  // Records handed out from input `i` so far.
  uint64_t records_from(size_t i) const { return inputs_[i].records; }

 private:
  struct Input {
    std::unique_ptr<PacketSource> source;
    Record head;
    bool has_head = false;
    bool done = false;
    uint64_t records = 0;
  };
  void advance(size_t i);

  std::vector<Input> inputs_;
  InputError on_error_;
  bool primed_ = false;
  size_t current_ = 0;
  bool handed_out_ = false;  // inputs_[current_].head was returned and must be replaced
  std::string error_;
};

}  // namespace tcpflow::capture
