// Reassembles one TCP direction into a byte stream on 64-bit offsets.
//
// Offset 0 is ISN+1 when a SYN was seen, otherwise the lowest sequence number
// seen so far (the stream is shifted if a lower one arrives later). In-order
// bytes go straight to the sink without a copy; only out-of-order bytes are
// held, within a per-flow and a shared budget. Overlaps keep the first copy
// (or the last, with OverlapPolicy::kLast) and every differing byte range is
// recorded as a conflict. Holes never filled become gaps.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "reassembly/memory_budget.h"
#include "reassembly/stream_sink.h"
#include "util/byte_view.h"
#include "util/stats.h"
#include "util/timestamp.h"

namespace tcpflow::reassembly {

enum class OverlapPolicy : uint8_t { kFirstWins, kLastWins };

struct ReassemblyLimits {
  uint64_t max_seek = 16ull << 20;        // -m: a jump this large starts a new stream
  uint64_t max_stored = UINT64_MAX;       // -b: bytes stored per direction
  uint64_t flow_buffer_limit = 8ull << 20; // out-of-order bytes held per direction
};

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
  friend bool operator==(const ByteRange& a, const ByteRange& b) {
    return a.offset == b.offset && a.length == b.length;
  }
};

struct ReassemblyStats {
  uint64_t segments = 0;            // segments given to add()
  uint64_t payload_bytes = 0;       // payload bytes given to add(), duplicates included
  uint64_t duplicate_bytes = 0;     // bytes that were already present with the same content
  uint64_t conflict_count = 0;      // overlaps whose bytes differed
  uint64_t conflict_bytes = 0;
  uint64_t bad_checksum_segments = 0;
  uint64_t bad_checksum_replaced = 0;  // bad-checksum bytes later replaced by a good copy
  uint64_t before_start_segments = 0;  // dropped: before ISN+1 after a SYN
  uint64_t capped_bytes = 0;           // not stored because of max_stored
  uint64_t spilled_blocks = 0;         // out-of-order blocks written early by the budget
  std::vector<ByteRange> gaps;         // holes written as zeros, in offset order
  std::vector<ByteRange> conflicts;    // ranges where copies differed (merged, capped in count)
};

struct Segment {
  uint32_t seq = 0;
  uint8_t flags = 0;       // decode::TcpFlag bits
  ByteView payload;
  bool checksum_bad = false;
  Timestamp ts;
};

enum class AddStatus : uint8_t {
  kAccepted,     // some new bytes were stored or are held
  kDuplicate,    // nothing new (retransmission, keepalive, pure ACK)
  kBeforeStart,  // data before ISN+1 after a SYN: dropped and counted
  kJump,         // more than max_seek away: nothing done; caller starts a new stream
};

class Reassembler {
 public:
  Reassembler(StreamSink& sink, const ReassemblyLimits& limits, OverlapPolicy policy,
              MemoryBudget& shared_budget);
  ~Reassembler();
  Reassembler(const Reassembler&) = delete;
  Reassembler& operator=(const Reassembler&) = delete;

  AddStatus add(const Segment& segment);

  // Writes every held block (holes before them become gaps) and releases memory.
  void finish();

  const ReassemblyStats& stats() const { return stats_; }
  bool started() const { return started_; }
  bool syn_seen() const { return syn_seen_; }
  uint32_t isn() const { return isn_; }
  // Contiguous bytes delivered from offset 0.
  uint64_t contiguous_end() const { return next_offset_; }
  // One past the highest offset stored or held.
  uint64_t highest_end() const { return highest_end_; }
  // Out-of-order bytes currently held in memory.
  uint64_t held_bytes() const { return held_bytes_; }
  // True when a FIN was seen and every byte before it has arrived.
  bool fin_complete() const;
  bool fin_seen() const { return fin_seen_; }

 private:
  struct Block;
  // ... implementation-defined private members
  StreamSink& sink_;
  ReassemblyLimits limits_;
  OverlapPolicy policy_;
  MemoryBudget& budget_;
  ReassemblyStats stats_;
  bool started_ = false;
  bool syn_seen_ = false;
  bool fin_seen_ = false;
  uint32_t isn_ = 0;
  int64_t base_seq64_ = 0;     // unwrapped sequence number of offset 0
  int64_t reference64_ = 0;    // recent unwrapped sequence number, for unwrapping
  uint64_t fin_offset_ = 0;
  uint64_t next_offset_ = 0;
  uint64_t highest_end_ = 0;
  uint64_t held_bytes_ = 0;
};

}  // namespace tcpflow::reassembly
