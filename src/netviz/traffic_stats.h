// What the netviz page shows, collected as the run goes: fed once per
// packet from what the pipeline already decoded, and once per closed flow
// direction and connection. Memory is bounded whatever the capture: a
// fixed-size time histogram, a capped address table, one counter pair per
// TCP port and a fixed-size sample of connections. No drawing here.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "decode/packet.h"
#include "flow/flow_info.h"
#include "netviz/talker_table.h"
#include "netviz/time_histogram.h"
#include "util/timestamp.h"

namespace tcpflow::netviz {

// Columns of the time histogram.
constexpr size_t kPortSlots = 10;              // server ports with a series of their own
constexpr size_t kColumnNonTcp = 0;            // bytes of packets that are not TCP
constexpr size_t kColumnFirstPort = 1;         // 1..kPortSlots: one tracked server port each
constexpr size_t kColumnOtherTcp = kPortSlots + 1;  // TCP bytes of every other port
constexpr size_t kColumnRetransmitted = kPortSlots + 2;  // bytes seen twice
constexpr size_t kColumnGaps = kPortSlots + 3;           // holes never filled
constexpr size_t kColumnConflicts = kPortSlots + 4;      // overlaps whose bytes differed
static_assert(kColumnConflicts < TimeHistogram::kColumns);

// Packet sizes (bytes on the wire) in these ranges: [edge[i], edge[i+1]).
constexpr std::array<uint32_t, 9> kSizeEdges = {0, 64, 128, 256, 512, 1024, 1500, 1519, 0xFFFFFFFF};
constexpr size_t kSizeBins = kSizeEdges.size() - 1;

struct ConnectionPoint {
  double duration_sec = 0;
  uint64_t bytes = 0;  // payload bytes of both directions, duplicates not counted
  uint16_t server_port = 0;
};

struct PortCounts {
  uint64_t bytes = 0;
  uint64_t connections = 0;
};

class TrafficStats {
 public:
  static constexpr size_t kMaxPoints = 3000;           // connections drawn in the scatter
  static constexpr size_t kMaxPendingConnections = 65536;

  TrafficStats();

  // One captured record. `ip` is null when it was not IP; `tcp` and
  // `direction` (the flow table's facts, may be null) only for TCP.
  void add_packet(const Timestamp& ts, uint32_t wire_len, const decode::IpPacket* ip,
                  const decode::TcpSegment* tcp, const flow::FlowInfo* direction);
  // A closed flow direction (both directions come before connection_closed).
  void add_flow(const flow::FlowInfo& info);
  void connection_closed(uint64_t connection_id);
  // End of run: connections still pending count as closed, oldest first.
  void finish();

  // Without packets (--netviz-from): a flow's bytes spread over its lifetime
  // and counted for its addresses and server port, as packets would be.
  void add_flow_traffic(const flow::FlowInfo& info, uint64_t bytes);

  bool has_packets() const { return packets_ > 0; }
  uint64_t packets() const { return packets_; }
  uint64_t wire_bytes() const { return wire_bytes_; }
  uint64_t ipv4_bytes() const { return ipv4_bytes_; }
  uint64_t ipv6_bytes() const { return ipv6_bytes_; }
  bool has_time() const { return has_time_; }
  Timestamp first_ts() const { return first_ts_; }
  Timestamp last_ts() const { return last_ts_; }
  const TimeHistogram& histogram() const { return histogram_; }
  uint16_t slot_port(size_t slot) const { return slot_port_[slot]; }  // slot 1..kPortSlots; 0: free
  const TalkerTable& talkers() const { return talkers_; }
  const PortCounts& port(uint16_t p) const { return ports_[p]; }
  // Connections with payload (the scatter's); the port counts hold every
  // connection seen in packets, or, without packets, those with payload.
  uint64_t connections() const { return connections_; }
  const std::vector<ConnectionPoint>& points() const { return points_; }
  const std::array<uint64_t, kSizeBins>& packet_sizes() const { return sizes_; }
  uint64_t retransmitted_bytes() const { return retransmitted_; }
  uint64_t gaps() const { return gaps_; }
  uint64_t conflicts() const { return conflicts_; }

  // The server port of a flow direction: known from the handshake, else guessed.
  static uint16_t server_port(const flow::FlowInfo& info);

 private:
  struct Pending {
    int64_t first_ns = 0;
    int64_t last_ns = 0;
    uint64_t bytes = 0;
    uint16_t server_port = 0;
    bool port_known = false;  // from a handshake
  };
  void note_time(const Timestamp& ts);
  size_t port_column(uint16_t server_port);
  void finalize(const Pending& connection);

  uint64_t packets_ = 0;
  uint64_t wire_bytes_ = 0;
  uint64_t ipv4_bytes_ = 0;
  uint64_t ipv6_bytes_ = 0;
  bool has_time_ = false;
  Timestamp first_ts_, last_ts_;
  TimeHistogram histogram_;
  std::vector<uint8_t> slot_of_port_;                 // 65536 entries; 0: no slot
  std::array<uint16_t, kPortSlots + 1> slot_port_{};  // [0] unused
  size_t slots_used_ = 0;
  TalkerTable talkers_;
  std::vector<PortCounts> ports_;                     // 65536 entries
  std::array<uint64_t, kSizeBins> sizes_{};
  uint64_t retransmitted_ = 0, gaps_ = 0, conflicts_ = 0;
  uint64_t connections_ = 0;                          // with payload (closed flows)
  uint64_t newest_connection_ = 0;
  bool connections_counted_from_packets_ = false;     // else from closed flows (report)
  std::map<uint64_t, Pending> pending_;               // by connection id
  std::vector<ConnectionPoint> points_;               // a uniform sample, at most kMaxPoints
  uint64_t sample_state_ = 0x2545F4914F6CDD1Dull;     // fixed seed: same input, same sample
};

}  // namespace tcpflow::netviz
