#include "workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "random.h"

namespace bench {

const std::vector<WorkloadDef>& workloads() {
  static const std::vector<WorkloadDef> kList = {
      {"W1", "~2 GB, 50k flows, 1,000 concurrent, Pareto sizes, request/response",
       SizeModel::kPareto, 1.85e9, 50000, 1000, true, 0.01, 0.005, 0.03},
      {"W2", "~1 GB, 1,000,000 short connections, 200 concurrent", SizeModel::kShort, 0,
       1000000, 200, true, 0.0, 0.005, 0.02},
      {"W3", "~4 GB, 200 long bulk flows, all interleaved", SizeModel::kBulk, 3.7e9, 200,
       200, false, 0.01, 0.005, 0.005},
      {"foundation", "~1.3 GB, 75k flows, 25,000 concurrent, Pareto sizes",
       SizeModel::kPareto, 1.2e9, 75000, 25000, true, 0.01, 0.005, 0.02},
      {"C10", "1 GB in 30,000 equal flows, 10 concurrent", SizeModel::kEqual, 1.0e9, 30000,
       10, false, 0.01, 0.005, 0.0},
      {"C1000", "1 GB in 30,000 equal flows, 1,000 concurrent", SizeModel::kEqual, 1.0e9,
       30000, 1000, false, 0.01, 0.005, 0.0},
      {"C30000", "1 GB in 30,000 equal flows, 30,000 concurrent", SizeModel::kEqual, 1.0e9,
       30000, 30000, false, 0.01, 0.005, 0.0},
  };
  return kList;
}

const WorkloadDef* find_workload(const std::string& name) {
  for (const auto& w : workloads()) {
    if (name == w.name) return &w;
  }
  return nullptr;
}

uint64_t direction_seed(uint64_t seed, uint64_t flow, int dir) {
  return mix64(mix64(seed) ^ (flow * 2 + static_cast<uint64_t>(dir) + 1) * kGolden);
}

uint64_t direction_isn_word(uint64_t seed, uint64_t flow, int dir) {
  return mix64(direction_seed(seed, flow, dir) ^ 0x15a15a15ULL);
}

bool direction_wraps(const FlowSpec& f, uint64_t seed, uint64_t flow, int dir) {
  const uint64_t isn = static_cast<uint32_t>(direction_isn_word(seed, flow, dir));
  return isn + f.bytes[dir] + 2 > (uint64_t{1} << 32);
}

namespace {

// A bijection on 30 bits, so distinct flows get distinct client endpoints
// that do not look sequential.
uint32_t permute30(uint32_t x) {
  const uint32_t mask = (1u << 30) - 1;
  x = (x * 0x2545f491u) & mask;
  x ^= x >> 15;
  x = (x * 0x6b43a9b5u) & mask;
  x ^= x >> 13;
  return x;
}

void assign_endpoints(FlowSpec& f, uint64_t index, Rng& rng) {
  const uint32_t x = permute30(static_cast<uint32_t>(index));
  f.client_ip = (10u << 24) | (1u << 16) | (x & 0xffffu);  // 10.1.x.y
  f.client_port = static_cast<uint16_t>(1024 + (x >> 16));  // < 17408
  const uint32_t server = static_cast<uint32_t>(rng.below(1000)) + 1;
  f.server_ip = (172u << 24) | (16u << 16) | server;  // 172.16.x.y
  static const uint16_t kPorts[] = {80, 443, 8080, 443};
  f.server_port = kPorts[rng.below(4)];
}

// Splits a flow total into request and response bytes.
void split_pareto(FlowSpec& f, uint64_t total, Rng& rng) {
  total = std::max<uint64_t>(total, 2);
  const bool upload = rng.chance(0.15);
  const double frac = upload ? 0.6 + 0.35 * rng.unit() : 0.01 + 0.09 * rng.unit();
  uint64_t req = static_cast<uint64_t>(static_cast<double>(total) * frac);
  req = std::clamp<uint64_t>(req, 1, total - 1);
  f.bytes[0] = req;
  f.bytes[1] = total - req;
  uint32_t ex = 1;
  while (ex < 6 && rng.chance(0.5)) ++ex;
  f.exchanges = static_cast<uint32_t>(std::min<uint64_t>({ex, f.bytes[0], f.bytes[1]}));
}

void scale_totals(std::vector<double>& sizes, double target) {
  double sum = 0;
  for (double s : sizes) sum += s;
  const double k = sum > 0 ? target / sum : 0;
  for (double& s : sizes) s *= k;
}

}  // namespace

Plan make_plan(const WorkloadDef& def, double scale, uint64_t seed) {
  Plan plan{def, seed, {}};
  WorkloadDef& d = plan.def;
  d.payload_bytes = def.payload_bytes * scale;
  if (def.scale_flows) {
    d.flows = std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(static_cast<double>(def.flows) * scale)));
  }
  d.concurrency = std::min(d.concurrency, d.flows);

  Rng rng(seed ^ 0x1234567ULL);
  std::vector<double> totals(d.flows);
  for (auto& t : totals) {
    switch (d.model) {
      case SizeModel::kPareto: {
        const double alpha = 1.3;
        t = std::min(std::pow(rng.unit(), -1.0 / alpha), 10000.0);
        break;
      }
      case SizeModel::kBulk:
        t = 0.5 + rng.unit();
        break;
      case SizeModel::kEqual:
      case SizeModel::kShort:
        t = 1.0;
        break;
    }
  }
  if (d.model != SizeModel::kShort) scale_totals(totals, d.payload_bytes);

  plan.flows.resize(d.flows);
  uint64_t sum = 0;
  for (uint64_t i = 0; i < d.flows; ++i) {
    FlowSpec& f = plan.flows[i];
    assign_endpoints(f, i, rng);
    const uint64_t total = static_cast<uint64_t>(totals[i]);
    f.exchanges = 1;
    switch (d.model) {
      case SizeModel::kPareto:
        split_pareto(f, total, rng);
        break;
      case SizeModel::kShort:
        f.bytes[0] = rng.range(40, 300);
        f.bytes[1] = rng.range(80, 500);
        break;
      case SizeModel::kBulk:
        if (rng.chance(0.25)) {
          f.bytes[0] = std::max<uint64_t>(total, 1);
          f.bytes[1] = rng.range(50, 300);
        } else {
          f.bytes[0] = rng.range(100, 500);
          f.bytes[1] = std::max<uint64_t>(total, 1);
        }
        break;
      case SizeModel::kEqual:
        f.bytes[0] = std::max<uint64_t>(total / 8, 1);
        f.bytes[1] = std::max<uint64_t>(total - f.bytes[0], 1);
        break;
    }
    sum += f.bytes[0] + f.bytes[1];
  }
  d.payload_bytes = static_cast<double>(sum);
  return plan;
}

std::string flow_file_name(const FlowSpec& f, int dir) {
  auto ep = [](char* out, uint32_t ip, uint16_t port) {
    std::snprintf(out, 32, "%03u.%03u.%03u.%03u.%05u", ip >> 24, (ip >> 16) & 255,
                  (ip >> 8) & 255, ip & 255, port);
  };
  char a[32], b[32];
  ep(a, f.client_ip, f.client_port);
  ep(b, f.server_ip, f.server_port);
  return dir == 0 ? std::string(a) + "-" + b : std::string(b) + "-" + a;
}

}  // namespace bench
