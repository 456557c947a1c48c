// One TCP connection: two directions, each with its reassembler and a sink
// that is created only when the first byte is stored (so a direction that
// never carries payload never creates a file).
#pragma once
#include <array>
#include <memory>

#include "flow/conn_history.h"
#include "flow/connection_list.h"
#include "flow/flow_handler.h"
#include "flow/flow_info.h"
#include "flow/flow_key.h"
#include "reassembly/reassembler.h"

namespace tcpflow::flow {

// Forwards to the real sink, asking the handler for it on the first write.
class LazySink : public reassembly::StreamSink {
 public:
  LazySink(FlowHandler& handler, FlowInfo& info) : handler_(handler), info_(info) {}

  void write(uint64_t offset, ByteView data, Timestamp ts) override;
  bool read_back(uint64_t offset, uint8_t* out, size_t len) override;
  bool shift(uint64_t delta) override;
  void quiesce(Timestamp last_ts) override {
    if (real_) real_->quiesce(last_ts);
  }
  reassembly::StreamEnd close(Timestamp last_ts) override {
    return real_ ? real_->close(last_ts) : reassembly::StreamEnd{};
  }

  bool opened() const { return opened_; }
  std::unique_ptr<reassembly::StreamSink> release() { return std::move(real_); }

 private:
  FlowHandler& handler_;
  FlowInfo& info_;
  std::unique_ptr<reassembly::StreamSink> real_;
  bool opened_ = false;
};

// A direction's state is allocated on its first packet, and its reassembler
// (about 400 bytes) only on its second one when the first is a bare SYN: a
// SYN flood then costs a few hundred bytes per connection instead of 1.5 KB.
// The deferred SYN is replayed into the reassembler before anything else.
struct DirectionState {
  explicit DirectionState(FlowHandler& handler) : sink(handler, info) {}
  FlowInfo info;
  LazySink sink;  // refers to info: the state never moves (held by pointer)
  std::unique_ptr<reassembly::Reassembler> reassembler;
  // The deferred bare SYN: the segment less its (empty) payload, in 24
  // bytes instead of 56, as every open direction carries it.
  struct PendingSyn {
    Timestamp ts;
    uint32_t seq = 0;
    uint8_t flags = 0;
    bool checksum_bad = false;
    bool ip_header_bad = false;
    bool held = false;
  } pending_syn;
  bool has_pending_syn() const { return pending_syn.held; }
  void defer_syn(const reassembly::Segment& syn) {
    pending_syn = PendingSyn{syn.ts, syn.seq, syn.flags, syn.checksum_bad, syn.ip_header_bad, true};
  }
  // The deferred SYN as a segment; it is no longer held.
  reassembly::Segment take_pending_syn() {
    pending_syn.held = false;
    reassembly::Segment syn;
    syn.seq = pending_syn.seq;
    syn.flags = pending_syn.flags;
    syn.checksum_bad = pending_syn.checksum_bad;
    syn.ip_header_bad = pending_syn.ip_header_bad;
    syn.ts = pending_syn.ts;
    return syn;
  }
};

struct Direction {
  std::unique_ptr<DirectionState> state;
  // Who opened the connection, learnt from a SYN on either side, possibly
  // before this direction has any state; copied into info when it exists.
  bool direction_known = false;
  bool is_client = false;
  // Whether the reassembler held back a midstream start at its last add: a
  // flag here, on the connection the packet already touched, spares every
  // ACK of the other side a visit to this side's reassembler.
  bool may_hold = false;
  bool active() const { return state != nullptr; }
};

struct Connection {
  ConnKey key;
  uint64_t id = 0;
  std::array<Direction, 2> directions;  // indexed by Side
  bool rst_seen = false;
  bool closed = false;
  uint32_t flow_files = 0;  // directions (and -m restarts) that produced a flow record
  Timestamp last_ts;
  ConnHistory history;  // every packet, for the connection record
  ListLinks activity_links;  // on FlowTable's activity list
  ListLinks closed_links;    // on FlowTable's closed list, once closed
};

// Most recently active first.
using ActivityList = ConnectionList<&Connection::activity_links>;
// Closed longest ago first.
using ClosedList = ConnectionList<&Connection::closed_links>;

}  // namespace tcpflow::flow
