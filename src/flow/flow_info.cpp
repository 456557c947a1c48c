#include "flow/flow_info.h"

namespace tcpflow::flow {

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
