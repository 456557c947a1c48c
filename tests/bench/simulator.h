// Turns a Plan into packets: keeps `concurrency` connections open, picks one
// at random for each step, and emits its next packet or burst (handshake,
// request/response data in MSS segments with receiver ACKs, FIN close).
// Reordering swaps two adjacent segments; a retransmission re-sends an
// identical copy of a segment at that direction's next burst (or before FIN).
#ifndef TCPFLOW_TESTS_BENCH_SIMULATOR_H
#define TCPFLOW_TESTS_BENCH_SIMULATOR_H

#include <cstdint>
#include <vector>

#include "pcap_out.h"
#include "random.h"
#include "workload.h"

namespace bench {

constexpr uint32_t kMss = 1448;

struct GenStats {
  uint64_t tcp_packets = 0;
  uint64_t data_segments = 0;
  uint64_t reordered_pairs = 0;
  uint64_t retransmissions = 0;
  uint64_t other_packets = 0;
  uint64_t seq_wraps = 0;  // directions whose sequence numbers pass 2^32
  uint64_t wire_payload = 0;  // includes retransmitted bytes
  uint64_t first_ts_ns = 0;
  uint64_t last_ts_ns = 0;
};

class Simulator {
 public:
  Simulator(const Plan& plan, PcapOut& out);
  void run();
  const GenStats& stats() const { return stats_; }

 private:
  enum class Phase : uint8_t {
    kSyn, kSynAck, kHandshakeAck, kData, kFinClient, kFinServer, kLastAck, kDone
  };
  struct Seg {
    uint64_t off;
    uint32_t len;
    uint8_t dir;
  };
  struct Flow {
    uint32_t spec;
    Phase phase;
    uint8_t dir;  // direction currently sending data
    uint32_t exchange;
    uint32_t isn[2];
    uint16_t ip_id[2];
    uint64_t sent[2];  // stream bytes emitted so far per direction
    uint64_t msg_end;  // stream offset where the current message ends
    std::vector<Seg> retx;
  };

  Flow start_flow(uint32_t spec);
  void step(Flow& f);
  void data_burst(Flow& f);
  void flush_retx(Flow& f, int dir);  // dir < 0: all
  void send_data(Flow& f, int dir, uint64_t off, uint32_t len);
  void send_control(Flow& f, int dir, uint8_t flags, uint32_t extra_seq, uint32_t extra_ack);
  void send_tcp(Flow& f, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                uint64_t payload_off, uint32_t len);
  void maybe_other();
  uint64_t tick(size_t frame_len);

  const Plan& plan_;
  PcapOut& out_;
  Rng rng_;
  uint64_t now_ns_;
  GenStats stats_;
};

}  // namespace bench

#endif
