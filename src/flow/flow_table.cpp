#include "flow/flow_table.h"

#include "flow/reassembly_counters.h"
#include "util/seq32.h"

namespace tcpflow::flow {

using decode::TcpFlag;

FlowTable::FlowTable(const FlowTableConfig& config, FlowHandler& handler,
                     reassembly::MemoryBudget& budget, Stats& stats)
    : config_(config), handler_(handler), budget_(budget), stats_(stats) {}

FlowTable::~FlowTable() = default;

const FlowInfo* FlowTable::process(const decode::DecodedPacket& packet,
                                   const PacketContext& context) {
  const decode::TcpSegment& tcp = packet.tcp;
  // Held for this packet; a connection created from it takes its own reference.
  struct PacketTunnel {
    TunnelInterner& interner;
    uint32_t ref;
    ~PacketTunnel() { interner.release(ref); }
  } tunnel{tunnels_, packet.tunnels.empty() ? TunnelInterner::kNone
                                            : tunnels_.acquire(decode::tunnel_key_of(packet.tunnels))};
  FlowKey key{packet.ip.src, packet.ip.dst, tcp.src_port, tcp.dst_port, packet.link.vlan,
              tunnel.ref};
  Side side;
  ConnKey conn_key = make_conn_key(key, side);
  bool syn = (tcp.flags & TcpFlag::kSyn) != 0;

  Connection* conn = table_.find(conn_key);
  if (conn && syn && starts_new_connection(*conn, side, tcp)) {
    finalize(conn, CloseReason::kNewSyn);
    conn = nullptr;
  }
  if (!conn) {
    // A stray ACK, FIN or RST for a connection we never saw carries nothing to record.
    if (resume_only_ || (!syn && tcp.payload.empty())) return nullptr;
    conn = create(conn_key);
  }

  if (conn->closed && !tcp.payload.empty()) stats_.add(Counter::kDataAfterClose);
  Direction& dir = conn->directions[static_cast<size_t>(side)];
  if (!dir.active()) init_direction(*conn, dir, key, packet, context);
  // First, so bytes the other side held back until now (its window ran out)
  // go out before this packet's.
  if (tcp.flags & TcpFlag::kAck) peer_acknowledged(*conn, side, tcp.ack, context.ts);

  reassembly::Segment segment;
  segment.seq = tcp.seq;
  segment.flags = tcp.flags;
  segment.payload = tcp.payload;
  segment.checksum_bad = tcp.checksum == decode::ChecksumStatus::kBad;
  segment.ip_header_bad = packet.ip.header_checksum_bad;
  segment.ts = context.ts;
  DirectionState& state = *dir.state;
  if (!state.reassembler && !state.has_pending_syn() && is_bare_syn(segment)) {
    state.defer_syn(segment);
  } else if (reassembler_of(state).add(segment) == reassembly::AddStatus::kJump) {
    // The old file ends with the packets before this one.
    stats_.add(Counter::kSeekJumps);
    restart_direction(*conn, dir, context);
    reassembler_of(*dir.state).add(segment);
  }
  if (dir.state->reassembler) dir.may_hold = dir.state->reassembler->holding();

  FlowInfo& info = dir.state->info;
  info.last_ts = context.ts;
  info.last_packet_number = context.packet_number;
  ++info.packets;
  info.input_files.note(context.input_name);
  if (syn) {
    bool opener = (tcp.flags & TcpFlag::kAck) == 0;
    set_role(dir, opener);
    set_role(conn->directions[1 - static_cast<size_t>(side)], !opener);
  }

  conn->history.observe(side, tcp.flags, tcp.payload.size(), segment.checksum_bad, context.ts);
  if (tcp.flags & TcpFlag::kRst) conn->rst_seen = true;
  conn->last_ts = context.ts;
  by_activity_.move_to_front(conn);
  if (!conn->closed && (conn->rst_seen || all_directions_done(*conn))) mark_closed(*conn);
  enforce_limits(conn);
  return &info;
}

void FlowTable::peer_acknowledged(Connection& conn, Side side, uint32_t ack, Timestamp ts) {
  Direction& other = conn.directions[1 - static_cast<size_t>(side)];
  if (other.may_hold && other.active() && other.state->reassembler) {
    other.state->reassembler->peer_acknowledged(ack, ts);
  }
}

Connection* FlowTable::create(const ConnKey& key) {
  Connection* conn = table_.insert(key);
  conn->id = next_connection_id_++;
  tunnels_.retain(key.tunnel);
  by_activity_.push_front(conn);
  if (table_.size() > peak_size_) peak_size_ = table_.size();
  stats_.add(Counter::kConnectionsCreated);
  return conn;
}

void FlowTable::init_direction(Connection& conn, Direction& dir, const FlowKey& key,
                               const decode::DecodedPacket& packet,
                               const PacketContext& context) {
  dir.state = std::make_unique<DirectionState>(handler_);
  FlowInfo& info = dir.state->info;
  info.src = key.src;
  info.dst = key.dst;
  info.src_port = key.src_port;
  info.dst_port = key.dst_port;
  info.vlan = key.vlan;
  info.has_macs = packet.link.has_macs;
  info.src_mac = packet.link.src_mac;
  info.dst_mac = packet.link.dst_mac;
  const decode::TunnelChain& chain = packet.tunnels;
  info.tunnels.assign(chain.layers.begin(), chain.layers.begin() + chain.depth);
  info.connection_id = conn.id;
  info.first_ts = context.ts;
  info.first_packet_number = context.packet_number;
  if (config_.record_write_times) info.write_times = std::make_shared<WriteTimes>();
  info.direction_known = dir.direction_known;
  info.is_client = dir.is_client;
  stats_.add(Counter::kFlowsCreated);
}

void FlowTable::set_role(Direction& dir, bool is_client) {
  dir.direction_known = true;
  dir.is_client = is_client;
  if (dir.state) {
    dir.state->info.direction_known = true;
    dir.state->info.is_client = is_client;
  }
}

bool FlowTable::is_bare_syn(const reassembly::Segment& segment) {
  return (segment.flags & TcpFlag::kSyn) && !(segment.flags & TcpFlag::kFin) &&
         segment.payload.empty();
}

reassembly::Reassembler& FlowTable::reassembler_of(DirectionState& state) const {
  if (!state.reassembler) {
    state.reassembler = std::make_unique<reassembly::Reassembler>(
        state.sink, config_.reassembly, config_.overlap, budget_, &state.info.reassembly);
    if (state.has_pending_syn()) state.reassembler->add(state.take_pending_syn());
  }
  return *state.reassembler;
}

void FlowTable::restart_direction(Connection& conn, Direction& dir, const PacketContext& context) {
  auto state = std::make_unique<DirectionState>(handler_);
  FlowInfo& fresh = state->info;
  const FlowInfo& old = dir.state->info;
  fresh.src = old.src;
  fresh.dst = old.dst;
  fresh.src_port = old.src_port;
  fresh.dst_port = old.dst_port;
  fresh.vlan = old.vlan;
  fresh.has_macs = old.has_macs;
  fresh.src_mac = old.src_mac;
  fresh.dst_mac = old.dst_mac;
  fresh.tunnels = old.tunnels;
  fresh.connection_id = conn.id;
  fresh.is_client = old.is_client;
  fresh.direction_known = old.direction_known;
  fresh.first_ts = context.ts;
  fresh.first_packet_number = context.packet_number;
  if (config_.record_write_times) fresh.write_times = std::make_shared<WriteTimes>();
  finish_direction(conn, dir, CloseReason::kSeekJump);
  dir.state = std::move(state);
  stats_.add(Counter::kFlowsCreated);
}

void FlowTable::finish_direction(Connection& conn, Direction& dir, CloseReason reason) {
  if (!dir.active()) return;
  reassembly::Reassembler& reassembler = reassembler_of(*dir.state);
  reassembler.finish();
  FlowInfo& info = dir.state->info;
  if (info.write_times) info.write_times->seal();
  if (reason == CloseReason::kSeekJump) {
    info.close_reason = reason;
  } else if (conn.rst_seen) {
    info.close_reason = CloseReason::kRst;
  } else if (reassembler.fin_complete()) {
    info.close_reason = CloseReason::kFin;
  } else {
    info.close_reason = reason;
  }
  for_each_reassembly_counter(info.reassembly,
                              [this](Counter c, uint64_t amount) { stats_.add(c, amount); });
  if (dir.state->sink.opened()) {
    ++conn.flow_files;
    handler_.close_stream(info, dir.state->sink.release());
  }
  dir.state.reset();
}

bool FlowTable::starts_new_connection(const Connection& conn, Side side,
                                      const decode::TcpSegment& tcp) const {
  const Direction& dir = conn.directions[static_cast<size_t>(side)];
  if (!dir.active()) return conn.closed;
  const reassembly::Reassembler& r = reassembler_of(*dir.state);
  // After FIN or RST any SYN opens a new connection, even one reusing the ISN.
  if (conn.closed) return true;
  if (r.syn_seen()) {
    if (tcp.seq == r.isn()) return false;  // a retransmitted SYN
    // A SYN whose sequence number lies inside this stream is bogus, not a new connection.
    int32_t into_stream = seq_diff(tcp.seq, r.isn());
    return !(into_stream > 0 && static_cast<uint64_t>(into_stream) <= r.highest_end() + 1);
  }
  if (!r.started()) return false;
  // Picked up mid-stream: a late SYN just below the first data belongs to it.
  int32_t below_start = seq_diff(r.start_seq(), tcp.seq + 1);
  return !(below_start >= 0 &&
           static_cast<uint64_t>(below_start) <= config_.reassembly.max_seek);
}

bool FlowTable::all_directions_done(const Connection& conn) const {
  bool any = false;
  for (const Direction& dir : conn.directions) {
    if (!dir.active()) continue;
    // A direction with only its SYN so far has no FIN either.
    const auto& reassembler = dir.state->reassembler;
    if (!reassembler || !reassembler->fin_complete()) return false;
    any = true;
  }
  return any;
}

void FlowTable::mark_closed(Connection& conn) {
  // Lingering only waits for stragglers: the bytes so far go to disk now.
  for (Direction& dir : conn.directions) {
    if (!dir.state) continue;
    if (dir.state->reassembler) dir.state->reassembler->release_hold();
    dir.state->sink.quiesce(dir.state->info.last_ts);
  }
  conn.closed = true;
  closed_.push_back(&conn);
}

void FlowTable::finalize(Connection* conn, CloseReason reason) {
  for (Direction& dir : conn->directions) finish_direction(*conn, dir, reason);
  ConnectionRecord record = make_record(*conn, reason);
  by_activity_.erase(conn);
  closed_.erase(conn);
  const uint32_t tunnel = conn->key.tunnel;
  table_.erase(conn);  // destroys *conn
  tunnels_.release(tunnel);
  handler_.connection_closed(record);
}

ConnectionRecord FlowTable::make_record(const Connection& conn, CloseReason reason) {
  const ConnHistory& h = conn.history;
  ConnectionRecord record;
  record.connection_id = conn.id;
  bool low_opened = h.originator() == Side::kLow;
  record.orig_ip = low_opened ? conn.key.low_addr : conn.key.high_addr;
  record.orig_port = low_opened ? conn.key.low_port : conn.key.high_port;
  record.resp_ip = low_opened ? conn.key.high_addr : conn.key.low_addr;
  record.resp_port = low_opened ? conn.key.high_port : conn.key.low_port;
  record.vlan = conn.key.vlan;
  record.start = h.first_ts();
  record.end = h.last_ts();
  record.state = h.state();
  record.history = h.history();
  record.orig_packets = h.packets(h.originator());
  record.orig_bytes = h.bytes(h.originator());
  record.resp_packets = h.packets(h.responder());
  record.resp_bytes = h.bytes(h.responder());
  record.flow_files = conn.flow_files;
  // Lingering closed connections leave with whatever reason the purge gives;
  // what closed them is what counts.
  if (conn.rst_seen) {
    record.close_reason = CloseReason::kRst;
  } else if (conn.closed) {
    record.close_reason = CloseReason::kFin;
  } else {
    record.close_reason = reason;
  }
  return record;
}

void FlowTable::enforce_limits(const Connection* current) {
  if (!config_.keep_closed) {
    while (closed_.size() > config_.max_linger && closed_.front() != current) {
      finalize(closed_.front(), CloseReason::kEndOfInput);
    }
  }
  while (table_.size() > config_.max_connections && by_activity_.back() != current) {
    stats_.add(Counter::kFlowsEvicted);
    finalize(by_activity_.back(), CloseReason::kEvicted);
  }
}

void FlowTable::expire(Timestamp now) {
  if (config_.idle_timeout_sec <= 0) return;
  while (!by_activity_.empty() &&
         seconds_between(by_activity_.back()->last_ts, now) > config_.idle_timeout_sec) {
    stats_.add(Counter::kFlowsExpired);
    finalize(by_activity_.back(), CloseReason::kTimeout);
  }
}

void FlowTable::close_idle(Timestamp now, double idle_sec) {
  while (!by_activity_.empty() &&
         seconds_between(by_activity_.back()->last_ts, now) >= idle_sec) {
    finalize(by_activity_.back(), CloseReason::kTimeout);
  }
}

void FlowTable::finish_all(CloseReason reason) {
  // Oldest first, so the report lists flows roughly in the order they started.
  while (!by_activity_.empty()) finalize(by_activity_.back(), reason);
}

}  // namespace tcpflow::flow
