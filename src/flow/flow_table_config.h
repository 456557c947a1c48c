// What the flow table is told at start: how each direction is reassembled
// and when connections are closed or forgotten. Plain data, part of Config.
#pragma once
#include <cstdint>

#include "reassembly/reassembly_types.h"

namespace tcpflow::flow {

struct FlowTableConfig {
  reassembly::ReassemblyLimits reassembly;
  reassembly::OverlapPolicy overlap = reassembly::OverlapPolicy::kFirstWins;
  uint64_t max_connections = 1000000;  // oldest idle connection is closed beyond this
  uint64_t max_linger = 1000;         // closed connections kept for late packets
  double idle_timeout_sec = 0;         // 0: never
  bool keep_closed = false;            // -P: closed connections stay until the end
};

}  // namespace tcpflow::flow
