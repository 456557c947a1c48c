#include "netviz/traffic_stats.h"

#include <algorithm>

#include "netviz/services.h"

namespace tcpflow::netviz {

namespace {

size_t size_bin(uint32_t wire_len) {
  size_t bin = 0;
  while (bin + 1 < kSizeBins && wire_len >= kSizeEdges[bin + 1]) ++bin;
  return bin;
}

double seconds_between(int64_t first_ns, int64_t last_ns) {
  return static_cast<double>(last_ns - first_ns) / 1e9;
}

}  // namespace

TrafficStats::TrafficStats() : slot_of_port_(65536, 0), ports_(65536) {}

uint16_t TrafficStats::server_port(const flow::FlowInfo& info) {
  if (info.direction_known) return info.is_client ? info.dst_port : info.src_port;
  return likely_server_port(info.src_port, info.dst_port);
}

void TrafficStats::note_time(const Timestamp& ts) {
  if (!has_time_) {
    has_time_ = true;
    first_ts_ = last_ts_ = ts;
    return;
  }
  if (ts < first_ts_) first_ts_ = ts;
  if (last_ts_ < ts) last_ts_ = ts;
}

size_t TrafficStats::port_column(uint16_t server_port) {
  if (uint8_t slot = slot_of_port_[server_port]) return slot;
  size_t slot = 0;
  if (slots_used_ < kPortSlots) {
    slot = ++slots_used_;
  } else {
    // Every slot is taken: a port that has carried twice the bytes of the
    // weakest tracked one takes its slot; the old port's history moves to
    // "other TCP", so every byte stays counted once.
    size_t weakest = 1;
    for (size_t s = 2; s <= kPortSlots; ++s) {
      if (ports_[slot_port_[s]].bytes < ports_[slot_port_[weakest]].bytes) weakest = s;
    }
    if (ports_[server_port].bytes <= 2 * ports_[slot_port_[weakest]].bytes) return kColumnOtherTcp;
    histogram_.merge_column(weakest, kColumnOtherTcp);
    slot_of_port_[slot_port_[weakest]] = 0;
    slot = weakest;
  }
  slot_port_[slot] = server_port;
  slot_of_port_[server_port] = static_cast<uint8_t>(slot);
  return slot;
}

void TrafficStats::add_packet(const Timestamp& ts, uint32_t wire_len, const decode::IpPacket* ip,
                              const decode::TcpSegment* tcp, const flow::FlowInfo* direction) {
  ++packets_;
  wire_bytes_ += wire_len;
  note_time(ts);
  ++sizes_[size_bin(wire_len)];
  if (ip) {
    talkers_.add(ip->src, ip->dst, wire_len);
    (ip->proto == decode::NetProto::kIPv6 ? ipv6_bytes_ : ipv4_bytes_) += wire_len;
  }
  const int64_t t = time_ns(ts);
  if (!tcp) {
    histogram_.add(t, kColumnNonTcp, wire_len);
    return;
  }
  uint16_t port = direction ? server_port(*direction)
                            : likely_server_port(tcp->src_port, tcp->dst_port);
  ports_[port].bytes += wire_len;
  // Connection ids grow from 1 in creation order: a higher one is a new
  // connection, counted here so that connections without payload (no flow
  // file, no closed flow) count too.
  if (direction && direction->connection_id > newest_connection_) {
    newest_connection_ = direction->connection_id;
    ++ports_[port].connections;
    connections_counted_from_packets_ = true;
  }
  histogram_.add(t, port_column(port), wire_len);
}

void TrafficStats::add_flow_traffic(const flow::FlowInfo& info, uint64_t bytes) {
  note_time(info.first_ts);
  note_time(info.last_ts);
  talkers_.add(info.src, info.dst, bytes);
  (info.src.family == 6 ? ipv6_bytes_ : ipv4_bytes_) += bytes;
  uint16_t port = server_port(info);
  ports_[port].bytes += bytes;
  histogram_.add_spread(time_ns(info.first_ts), time_ns(info.last_ts), port_column(port), bytes);
}

void TrafficStats::add_flow(const flow::FlowInfo& info) {
  const reassembly::ReassemblyStats& rs = info.reassembly;
  const int64_t first = time_ns(info.first_ts), last = time_ns(info.last_ts);
  // Where in the flow a gap or conflict happened is not known in time, only
  // in bytes: they are marked where the flow ended.
  if (rs.duplicate_bytes) histogram_.add_spread(first, last, kColumnRetransmitted, rs.duplicate_bytes);
  if (!rs.gaps.empty()) histogram_.add(last, kColumnGaps, rs.gaps.size());
  if (rs.conflict_count) histogram_.add(last, kColumnConflicts, rs.conflict_count);
  retransmitted_ += rs.duplicate_bytes;
  gaps_ += rs.gaps.size();
  conflicts_ += rs.conflict_count;

  uint64_t bytes = rs.payload_bytes > rs.duplicate_bytes ? rs.payload_bytes - rs.duplicate_bytes : 0;
  auto [it, fresh] = pending_.try_emplace(info.connection_id);
  Pending& p = it->second;
  if (fresh) {
    p.first_ns = first;
    p.last_ns = last;
  } else {
    p.first_ns = std::min(p.first_ns, first);
    p.last_ns = std::max(p.last_ns, last);
  }
  p.bytes += bytes;
  if (!p.port_known) {
    p.server_port = server_port(info);
    p.port_known = info.direction_known;
  }
  if (pending_.size() > kMaxPendingConnections) {
    finalize(pending_.begin()->second);
    pending_.erase(pending_.begin());
  }
}

void TrafficStats::connection_closed(uint64_t connection_id) {
  auto it = pending_.find(connection_id);
  if (it == pending_.end()) return;
  finalize(it->second);
  pending_.erase(it);
}

void TrafficStats::finish() {
  for (const auto& [id, connection] : pending_) finalize(connection);
  pending_.clear();
}

void TrafficStats::finalize(const Pending& connection) {
  ++connections_;
  if (!connections_counted_from_packets_) ++ports_[connection.server_port].connections;
  ConnectionPoint point{seconds_between(connection.first_ns, connection.last_ns),
                        connection.bytes, connection.server_port};
  // Reservoir sampling with a fixed-seed generator: a uniform sample of
  // every connection, the same one for the same input.
  if (points_.size() < kMaxPoints) {
    points_.push_back(point);
    return;
  }
  sample_state_ ^= sample_state_ << 13;
  sample_state_ ^= sample_state_ >> 7;
  sample_state_ ^= sample_state_ << 17;
  uint64_t pick = sample_state_ % connections_;
  if (pick < kMaxPoints) points_[pick] = point;
}

}  // namespace tcpflow::netviz
