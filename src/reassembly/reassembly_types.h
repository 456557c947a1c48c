// The plain types of the reassembler's interface that the layers above it
// name without needing the reassembler: its options (overlap policy, limits)
// and what it reports per direction (statistics, gap and conflict ranges).
#pragma once
#include <cstdint>
#include <vector>

namespace tcpflow::reassembly {

enum class OverlapPolicy : uint8_t { kFirstWins, kLastWins };

struct ReassemblyLimits {
  uint64_t max_seek = 16ull << 20;          // -m: a jump this large starts a new stream
  uint64_t max_stored = UINT64_MAX;         // -b: bytes stored per direction
  uint64_t flow_buffer_limit = 8ull << 20;  // out-of-order bytes held per direction
};

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  friend bool operator==(const ByteRange& a, const ByteRange& b) {
    return a.offset == b.offset && a.length == b.length;
  }
};

struct ReassemblyStats {
  uint64_t segments = 0;         // segments given to add()
  uint64_t payload_bytes = 0;    // payload bytes given to add(), duplicates included
  uint64_t duplicate_bytes = 0;  // bytes that were already present with the same content
  uint64_t conflict_count = 0;   // overlaps whose bytes differed
  uint64_t conflict_bytes = 0;
  uint64_t bad_checksum_segments = 0;     // TCP checksum wrong
  uint64_t bad_ip_checksum_segments = 0;  // IPv4 header (or a fragment's) checksum wrong
  uint64_t bad_checksum_replaced = 0;  // bad-checksum bytes later replaced by a good copy
  uint64_t before_start_segments = 0;  // dropped: before ISN+1 after a SYN
  uint64_t capped_bytes = 0;           // not stored because of max_stored
  uint64_t spilled_blocks = 0;         // out-of-order blocks written early by the budget
  std::vector<ByteRange> gaps;         // holes written as zeros, in offset order
  std::vector<ByteRange> conflicts;    // ranges where copies differed (merged, capped in count)
};

}  // namespace tcpflow::reassembly
