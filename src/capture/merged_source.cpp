#include "capture/merged_source.h"

#include <algorithm>

namespace tcpflow::capture {

MergedSource::MergedSource(std::vector<std::unique_ptr<PacketSource>> inputs,
                           InputError on_error)
    : on_error_(std::move(on_error)) {
  inputs_.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) inputs_[i].source = std::move(inputs[i]);
}

void MergedSource::advance(size_t i) {
  Input& input = inputs_[i];
  input.has_head = false;
  if (input.done) return;
  // Files never time out; a source that says so anyway is simply asked again.
  ReadStatus status;
  do {
    status = input.source->next(input.head);
  } while (status == ReadStatus::kTimeout);
  if (status == ReadStatus::kPacket) {
    input.has_head = true;
    return;
  }
  input.done = true;
  if (status == ReadStatus::kError && on_error_) {
    on_error_(i, input.source->error(), input.source->truncated());
  }
}

ReadStatus MergedSource::next(Record& out) {
  if (!primed_) {
    primed_ = true;
    for (size_t i = 0; i < inputs_.size(); ++i) advance(i);
  } else if (handed_out_) {
    advance(current_);
  }
  handed_out_ = false;
  // A linear scan: a handful of inputs is the use; a heap would pay off only
  // past a few dozen, and the scan keeps ties in input order for free.
  size_t best = inputs_.size();
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (!inputs_[i].has_head) continue;
    if (best == inputs_.size() || inputs_[i].head.ts < inputs_[best].head.ts) best = i;
  }
  if (best == inputs_.size()) return ReadStatus::kEnd;
  current_ = best;
  handed_out_ = true;
  ++inputs_[best].records;
  out = inputs_[best].head;
  return ReadStatus::kPacket;
}

int MergedSource::primary_link_type() const {
  return inputs_.empty() ? 0 : inputs_.front().source->primary_link_type();
}

uint32_t MergedSource::snaplen() const {
  uint32_t largest = 0;
  for (const Input& input : inputs_) largest = std::max(largest, input.source->snaplen());
  return largest;
}

}  // namespace tcpflow::capture
