// All open connections: finds a packet's connection (or starts one), feeds
// the segment to the right direction's reassembler, and applies the close
// rules (FIN both ways, RST, idle timeout, table full, -m jump, new SYN on a
// reused 4-tuple, end of input). Expiry is O(1) per packet: connections sit
// on a list ordered by last activity, and closed ones on a second list so a
// bounded number linger for late retransmissions.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "decode/decoder.h"
#include "flow/connection.h"
#include "flow/connection_table.h"
#include "flow/flow_handler.h"
#include "flow/flow_key.h"
#include "flow/flow_table_config.h"
#include "flow/tunnel_interner.h"
#include "reassembly/memory_budget.h"
#include "reassembly/reassembler.h"
#include "util/stats.h"
#include "util/timestamp.h"

namespace tcpflow::flow {

struct PacketContext {
  Timestamp ts;
  uint64_t packet_number = 0;          // 1-based over all inputs
  InputName input_name;  // null: packets from nowhere in particular (tests)
};

class FlowTable {
 public:
  FlowTable(const FlowTableConfig& config, FlowHandler& handler,
            reassembly::MemoryBudget& budget, Stats& stats);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Returns the facts of the direction the packet belongs to, or nullptr
  // when it was ignored (stray ACK, -R and an unknown connection).
  const FlowInfo* process(const decode::DecodedPacket& packet, const PacketContext& context);

  // -R: packets of connections not already in the table are ignored.
  void set_resume_only(bool resume_only) { resume_only_ = resume_only; }

  // Closes connections idle for longer than the timeout (cheap: looks at the
  // least recently active ones only).
  void expire(Timestamp now);

  // Closes every connection idle for at least `idle_sec` of capture time.
  void close_idle(Timestamp now, double idle_sec);

  // Closes everything (end of input, signal).
  void finish_all(CloseReason reason);

  size_t size() const { return table_.size(); }
  size_t peak_size() const { return peak_size_; }

 private:
  Connection* create(const ConnKey& key);
  // Tells the other direction's reassembler, if it is holding back a
  // midstream start, what the peer has acknowledged.
  static void peer_acknowledged(Connection& conn, Side side, uint32_t ack, Timestamp ts);
  void init_direction(Connection& conn, Direction& dir, const FlowKey& key,
                      const decode::DecodedPacket& packet, const PacketContext& context);
  void restart_direction(Connection& conn, Direction& dir, const PacketContext& context);
  void finish_direction(Connection& conn, Direction& dir, CloseReason reason);
  bool starts_new_connection(const Connection& conn, Side side,
                             const decode::TcpSegment& tcp) const;
  bool all_directions_done(const Connection& conn) const;
  static void set_role(Direction& dir, bool is_client);
  static bool is_bare_syn(const reassembly::Segment& segment);
  // The direction's reassembler, created (and the deferred SYN replayed) if needed.
  reassembly::Reassembler& reassembler_of(DirectionState& state) const;
  void mark_closed(Connection& conn);
  void finalize(Connection* conn, CloseReason reason);
  static ConnectionRecord make_record(const Connection& conn, CloseReason reason);
  void enforce_limits(const Connection* current);

  FlowTableConfig config_;
  FlowHandler& handler_;
  reassembly::MemoryBudget& budget_;
  Stats& stats_;
  TunnelInterner tunnels_;  // before table_: keys refer to it
  ConnectionTable table_;  // owns the connections
  ActivityList by_activity_;  // front: most recently active
  ClosedList closed_;         // front: closed longest ago
  uint64_t next_connection_id_ = 1;
  size_t peak_size_ = 0;
  bool resume_only_ = false;
};

}  // namespace tcpflow::flow
