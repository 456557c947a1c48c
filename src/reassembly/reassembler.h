// Reassembles one TCP direction into a byte stream on 64-bit offsets.
//
// Offset 0 is ISN+1 when a SYN was seen, otherwise the lowest sequence number
// seen so far. A direction that begins without a SYN holds its first bytes
// for a short window (midstream_hold.h), so a lower segment arriving next
// moves offset 0 before anything reached the sink; one arriving later still
// shifts the stream (the sink moves what it has). In-order
// bytes go straight to the sink without a copy; only out-of-order bytes are
// held, within a per-flow and a shared budget (past either, they are written
// to the sink early). Overlaps keep the first copy (or the last, with
// OverlapPolicy::kLastWins); each contiguous overlap whose bytes differ is one
// conflict. Bytes from corrupted copies (a bad TCP checksum or a bad IPv4
// header checksum) are used but stay "weak": a later good copy replaces them,
// a bad copy never replaces good bytes. Holes never
// filled become gaps. When the sink cannot read back (console), overlapping
// bytes cannot be compared and count as duplicates.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "reassembly/interval_set.h"
#include "reassembly/memory_budget.h"
#include "reassembly/midstream_hold.h"
#include "reassembly/reassembly_types.h"
#include "reassembly/stream_sink.h"
#include "util/byte_view.h"
#include "util/stats.h"
#include "util/timestamp.h"

namespace tcpflow::reassembly {

struct Segment {
  uint32_t seq = 0;
  uint8_t flags = 0;  // decode::TcpFlag bits
  ByteView payload;
  bool checksum_bad = false;   // TCP checksum wrong
  bool ip_header_bad = false;  // IPv4 header checksum wrong (in any of its fragments)
  Timestamp ts;
  // A corrupted copy: its bytes are weak (see above).
  bool corrupted() const { return checksum_bad || ip_header_bad; }
};

enum class AddStatus : uint8_t {
  kAccepted,     // new bytes stored or held, stored bytes replaced, or a first SYN/FIN
  kDuplicate,    // nothing new (retransmission, keepalive, pure ACK)
  kBeforeStart,  // data before ISN+1 after a SYN: dropped and counted
  kJump,         // more than max_seek away: nothing done; caller starts a new stream
};

class Reassembler {
 public:
  // `stats`: where to count (the flow's record, which outlives this), so
  // that thirty thousand open flows do not keep each count twice; null: here.
  Reassembler(StreamSink& sink, const ReassemblyLimits& limits, OverlapPolicy policy,
              MemoryBudget& shared_budget, ReassemblyStats* stats = nullptr);
  ~Reassembler();
  Reassembler(const Reassembler&) = delete;
  Reassembler& operator=(const Reassembler&) = delete;

  AddStatus add(const Segment& segment);

  // The other direction acknowledged `ack` (at `ts`): tells a direction that
  // began without a SYN whether bytes below its first one are known to be
  // missing, and lets its hold window run out of time.
  void peer_acknowledged(uint32_t ack, Timestamp ts);
  // True while a direction that began without a SYN holds back its first bytes.
  bool holding() const { return hold_.active(); }
  // Ends the hold now (the connection closed): what is held goes to the sink.
  void release_hold() {
    if (hold_.active()) end_hold();
  }

  // Writes every held block (holes before them become gaps) and releases memory.
  // The stream is over afterwards: further add() calls return kDuplicate.
  void finish();
  bool finished() const { return finished_; }

  const ReassemblyStats& stats() const { return stats_; }
  bool started() const { return started_; }
  bool syn_seen() const { return syn_seen_; }
  uint32_t isn() const { return isn_; }
  // Sequence number of stream offset 0: ISN+1 after a SYN, else the lowest
  // sequence number seen (valid once started(); the flow layer's new-connection test).
  uint32_t start_seq() const { return static_cast<uint32_t>(base_seq64_); }
  // Contiguous bytes delivered from offset 0.
  uint64_t contiguous_end() const { return next_offset_; }
  // One past the highest offset stored or held.
  uint64_t highest_end() const { return highest_end_; }
  // Out-of-order bytes currently held in memory.
  uint64_t held_bytes() const { return held_bytes_; }
  // True when a FIN was seen and every byte before it has arrived (with -b,
  // every byte before the cap).
  bool fin_complete() const;
  bool fin_seen() const { return fin_seen_; }

 private:
  // Out-of-order bytes copied out of a packet, waiting for the hole before them.
  struct Block {
    std::vector<uint8_t> data;
    Timestamp ts;
  };
  using BlockMap = std::map<uint64_t, Block>;

  // One add()'s run of contiguous same-strength overlap; a run whose bytes
  // differed anywhere becomes one conflict when it ends.
  struct OverlapRun {
    uint64_t start = 0;
    uint64_t end = 0;
    uint64_t differing = 0;
    bool active = false;
  };

  // Per-add() bookkeeping shared by the slow-path helpers.
  struct AddContext {
    const Segment& segment;
    uint64_t start;  // stream offset of payload[0]
    ByteView payload;
    OverlapRun run;
    bool changed = false;  // new bytes stored, or stored bytes replaced
  };

  AddStatus accept(const Segment& segment);
  void update_hold(const Segment& segment, bool first, int64_t base_before);
  uint64_t held_run_end() const;
  void end_hold();
  void count_corruption(const Segment& segment);
  bool is_jump(int64_t start, int64_t end) const;
  void note_first_syn(uint32_t seq, int64_t syn_seq64);
  bool rebase(uint64_t delta);
  void apply_cap_after_shift();
  AddStatus place(const Segment& segment, int64_t start, ByteView payload, bool news);

  // Slow path (reassembler_overlap.cpp).
  void insert(AddContext& ctx);
  BlockMap::iterator held_at_or_after(uint64_t pos);
  void compare_existing(AddContext& ctx, uint64_t from, uint64_t to, uint8_t* held,
                        uint64_t held_start);
  void overlap(AddContext& ctx, uint64_t at, ByteView fresh, uint8_t* held, bool existing_weak);
  bool diff_with_sink(uint64_t offset, ByteView fresh, uint64_t& differing);
  void extend_run(OverlapRun& run, uint64_t from, uint64_t to, uint64_t differing);
  void end_run(OverlapRun& run);
  void record_conflict(uint64_t offset, uint64_t length, uint64_t differing);
  void store_new(AddContext& ctx, uint64_t from, uint64_t to);
  void store_out(uint64_t from, ByteView data, Timestamp ts);
  bool keep_block(uint64_t from, ByteView data, Timestamp ts);
  void write_sink(uint64_t offset, ByteView data, Timestamp ts);
  void drain();
  void release_block(uint64_t bytes);

  StreamSink& sink_;
  ReassemblyLimits limits_;
  OverlapPolicy policy_;
  MemoryBudget& budget_;
  std::unique_ptr<ReassemblyStats> own_stats_;  // when not given one
  ReassemblyStats& stats_;
  bool started_ = false;
  bool syn_seen_ = false;
  bool fin_seen_ = false;
  bool finished_ = false;
  bool sink_has_data_ = false;  // nothing to shift in the sink until the first write
  uint32_t isn_ = 0;
  int64_t base_seq64_ = 0;   // unwrapped sequence number of offset 0
  int64_t reference64_ = 0;  // highest unwrapped end seen, for unwrapping
  uint64_t fin_offset_ = 0;
  uint64_t next_offset_ = 0;
  uint64_t highest_end_ = 0;
  uint64_t seen_end_ = 0;  // highest end seen before -b trimming, for jump detection
  uint64_t held_bytes_ = 0;
  BlockMap held_;
  MidstreamHold hold_;  // while active, nothing reaches the sink
  // Bytes already in the sink beyond next_offset_ (spilled blocks, or the
  // stream before a shift); coverage runs through them like delivered bytes.
  IntervalSet in_sink_;
  // Bytes that came from bad-checksum segments; a good copy replaces them.
  IntervalSet weak_;
};

}  // namespace tcpflow::reassembly
