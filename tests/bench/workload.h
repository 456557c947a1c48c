// Benchmark workloads: a named shape (flow count, concurrency, size model,
// anomaly rates) scaled by --scale into a concrete list of flows.
#ifndef TCPFLOW_TESTS_BENCH_WORKLOAD_H
#define TCPFLOW_TESTS_BENCH_WORKLOAD_H

#include <cstdint>
#include <string>
#include <vector>

namespace bench {

enum class SizeModel { kPareto, kShort, kBulk, kEqual };

struct WorkloadDef {
  const char* name;
  const char* description;
  SizeModel model;
  double payload_bytes;  // target unique payload at scale 1 (kShort: derived)
  uint64_t flows;
  uint64_t concurrency;
  bool scale_flows;  // --scale changes the flow count (else the flow sizes)
  double p_reorder;  // per data segment: swap with the next one
  double p_retx;     // per data segment: send a duplicate later
  double p_other;    // per TCP packet: add a UDP or ARP packet
};

const std::vector<WorkloadDef>& workloads();
const WorkloadDef* find_workload(const std::string& name);

// One connection: client -> server is direction 0, server -> client is 1.
struct FlowSpec {
  uint32_t client_ip, server_ip;
  uint16_t client_port, server_port;
  uint32_t exchanges;  // request/response rounds, each message >= 1 byte
  uint64_t bytes[2];
};

struct Plan {
  WorkloadDef def;  // after scaling
  uint64_t seed;
  std::vector<FlowSpec> flows;
};

Plan make_plan(const WorkloadDef& def, double scale, uint64_t seed);

// Size of message `exchange` in direction `dir`.
inline uint64_t message_size(const FlowSpec& f, int dir, uint32_t exchange) {
  const uint64_t base = f.bytes[dir] / f.exchanges;
  return exchange + 1 == f.exchanges ? f.bytes[dir] - base * (f.exchanges - 1) : base;
}

uint64_t direction_seed(uint64_t seed, uint64_t flow, int dir);

// Initial sequence number (low 32 bits) and first IP id (bits 32..47).
uint64_t direction_isn_word(uint64_t seed, uint64_t flow, int dir);

// True when the direction's sequence numbers (SYN, data, FIN) pass 2^32.
bool direction_wraps(const FlowSpec& f, uint64_t seed, uint64_t flow, int dir);

// tcpflow's default file name (%A.%a-%B.%b) for one direction.
std::string flow_file_name(const FlowSpec& f, int dir);

}  // namespace bench

#endif
