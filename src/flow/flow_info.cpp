#include "flow/flow_info.h"

namespace tcpflow::flow {

InputFiles::InputFiles(std::initializer_list<std::string> names) {
  for (const std::string& name : names) note(std::make_shared<const std::string>(name));
}

void InputFiles::note_other(const InputName& name) {
  InputName& latest_name = later_.empty() ? first_ : later_.back();
  if (latest_name != nullptr && *latest_name == *name) {
    // The same file read again (-r x -r x): one entry, as before, and the
    // pointer is taken over so later packets compare equal at once.
    latest_name = name;
    return;
  }
  if (first_ == nullptr) {
    first_ = name;
  } else {
    later_.push_back(name);
  }
}

std::vector<std::string> InputFiles::names() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (size_t i = 0; i < size(); ++i) out.push_back((*this)[i]);
  return out;
}

const char* close_reason_name(CloseReason reason) {
  switch (reason) {
    case CloseReason::kOpen: return "open";
    case CloseReason::kFin: return "fin";
    case CloseReason::kRst: return "rst";
    case CloseReason::kTimeout: return "timeout";
    case CloseReason::kEndOfInput: return "end_of_input";
    case CloseReason::kSeekJump: return "seek_jump";
    case CloseReason::kNewSyn: return "new_connection";
    case CloseReason::kEvicted: return "evicted";
    case CloseReason::kCapped: return "byte_cap";
  }
  return "unknown";
}

}  // namespace tcpflow::flow
