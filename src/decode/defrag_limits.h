// Bounds on the IP fragments held for reassembly. Plain data, part of Config.
#pragma once
#include <cstdint>

namespace tcpflow::decode {

struct DefragLimits {
  uint64_t max_bytes = 64ull << 20;  // fragment payload held at once, all sets together
  uint32_t max_sets = 16384;         // incomplete sets held at once
  int64_t timeout_sec = 60;          // capture-time age after which a set is dropped
};

}  // namespace tcpflow::decode
