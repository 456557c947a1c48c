// benchgen: writes a deterministic benchmark capture (classic pcap,
// Ethernet/IPv4/TCP) for a named workload, plus optional truth and sizes
// files. See tests/bench/README.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/md5_lanes.h"
#include "pcap_out.h"
#include "random.h"
#include "simulator.h"
#include "workload.h"

namespace bench {
namespace {

// Bump whenever the bytes written for a given (workload, scale, seed) change,
// so the runner regenerates stale captures.
constexpr int kFormatVersion = 2;

struct Options {
  std::string workload;
  std::string out, truth, sizes;
  double scale = 1.0;
  uint64_t seed = 1;
  uint64_t sample = 0;  // 0: automatic
};

void usage(FILE* to) {
  std::fprintf(to,
               "usage: benchgen WORKLOAD -o OUT.pcap [--scale X] [--seed N]\n"
               "                [--truth FILE] [--sizes FILE] [--sample N]\n"
               "       benchgen --list | --version | --selftest\n"
               "  --truth   header facts plus 'md5 size name' for every Nth flow direction\n"
               "            and for every direction whose sequence numbers wrap\n"
               "  --sizes   payload size of every flow direction, one per line\n"
               "  --sample  N for --truth (default 997, smaller when there are few flows)\n");
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "benchgen: %s\n", msg.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "-o" || a == "--out") {
      o.out = value();
    } else if (a == "--truth") {
      o.truth = value();
    } else if (a == "--sizes") {
      o.sizes = value();
    } else if (a == "--scale") {
      o.scale = std::strtod(value().c_str(), nullptr);
      if (!(o.scale > 0)) die("--scale must be > 0");
    } else if (a == "--seed") {
      o.seed = std::strtoull(value().c_str(), nullptr, 0);
    } else if (a == "--sample") {
      o.sample = std::strtoull(value().c_str(), nullptr, 0);
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      std::exit(0);
    } else if (!a.empty() && a[0] == '-') {
      die("unknown option " + a);
    } else if (o.workload.empty()) {
      o.workload = a;
    } else {
      die("unexpected argument " + a);
    }
  }
  if (o.workload.empty() || o.out.empty()) {
    usage(stderr);
    std::exit(2);
  }
  return o;
}

std::string stream_md5(uint64_t seed, uint64_t size) {
  tcpflow::Md5Stream md5;
  std::vector<uint8_t> buf(1 << 20);
  for (uint64_t off = 0; off < size; off += buf.size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - off));
    fill_payload(seed, off, n, buf.data());
    md5.update(tcpflow::ByteView(buf.data(), n));
  }
  return md5.hex_digest();
}

void write_truth(const Options& o, const Plan& plan, const GenStats& st,
                 const PcapOut& out, double gen_seconds) {
  std::ofstream t(o.truth);
  if (!t) die("cannot write " + o.truth);
  const uint64_t dirs = plan.flows.size() * 2;
  uint64_t step = o.sample;
  if (step == 0) step = dirs / 997 >= 32 ? 997 : std::max<uint64_t>(1, dirs / 32);
  t << "# generator benchgen " << kFormatVersion << "\n"
    << "# workload " << plan.def.name << "\n"
    << "# description " << plan.def.description << "\n"
    << "# scale " << o.scale << "\n"
    << "# seed " << o.seed << "\n"
    << "# flows " << plan.flows.size() << "\n"
    << "# concurrency " << plan.def.concurrency << "\n"
    << "# files " << dirs << "\n"
    << "# payload_bytes " << static_cast<uint64_t>(plan.def.payload_bytes) << "\n"
    << "# packets " << out.packets() << "\n"
    << "# tcp_packets " << st.tcp_packets << "\n"
    << "# other_packets " << st.other_packets << "\n"
    << "# data_segments " << st.data_segments << "\n"
    << "# reordered_pairs " << st.reordered_pairs << "\n"
    << "# retransmissions " << st.retransmissions << "\n"
    << "# seq_wraps " << st.seq_wraps << "\n"
    << "# pcap_bytes " << out.bytes() << "\n"
    << "# capture_seconds " << static_cast<double>(st.last_ts_ns - st.first_ts_ns) / 1e9 << "\n"
    << "# generate_seconds " << gen_seconds << "\n"
    << "# sample_step " << step << "\n"
    << "# columns md5 size name\n";
  // Every step-th direction, plus every direction whose sequence numbers wrap.
  for (uint64_t g = 0; g < dirs; ++g) {
    const FlowSpec& f = plan.flows[g / 2];
    const int d = static_cast<int>(g % 2);
    if (g % step != 0 && !direction_wraps(f, plan.seed, g / 2, d)) continue;
    t << stream_md5(direction_seed(plan.seed, g / 2, d), f.bytes[d]) << ' ' << f.bytes[d]
      << ' ' << flow_file_name(f, d) << '\n';
  }
  if (!t.flush()) die("write error on " + o.truth);
}

void write_sizes(const std::string& path, const Plan& plan) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) die("cannot write " + path);
  for (const FlowSpec& s : plan.flows) {
    std::fprintf(f, "%llu\n%llu\n", static_cast<unsigned long long>(s.bytes[0]),
                 static_cast<unsigned long long>(s.bytes[1]));
  }
  if (std::fclose(f) != 0) die("write error on " + path);
}

int selftest() {
  struct Case {
    const char* in;
    const char* md5;
  } cases[] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  int bad = 0;
  for (const auto& c : cases) {
    tcpflow::Md5Stream m;
    m.update(tcpflow::ByteView(reinterpret_cast<const uint8_t*>(c.in), std::strlen(c.in)));
    const std::string got = m.hex_digest();
    if (got != c.md5) {
      std::fprintf(stderr, "md5(\"%s\") = %s, want %s\n", c.in, got.c_str(), c.md5);
      ++bad;
    }
  }
  std::printf("selftest %s\n", bad ? "FAILED" : "OK");
  return bad ? 1 : 0;
}

int run(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("benchgen %d\n", kFormatVersion);
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "--selftest") == 0) return selftest();
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    for (const auto& w : workloads()) std::printf("%-11s %s\n", w.name, w.description);
    return 0;
  }
  const Options o = parse(argc, argv);
  const WorkloadDef* def = find_workload(o.workload);
  if (!def) die("unknown workload '" + o.workload + "' (try --list)");

  const auto t0 = std::chrono::steady_clock::now();
  const Plan plan = make_plan(*def, o.scale, o.seed);
  PcapOut out(o.out);
  Simulator sim(plan, out);
  sim.run();
  out.close();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const GenStats& st = sim.stats();
  std::fprintf(stderr,
               "benchgen: %s scale %g: %llu flows, %llu packets (%llu non-TCP, %llu "
               "reordered pairs, %llu retransmissions, %llu wrapping directions), "
               "%.1f MB payload, %.1f MB pcap in %.2f s (%.0f MB/s)\n",
               plan.def.name, o.scale, static_cast<unsigned long long>(plan.flows.size()),
               static_cast<unsigned long long>(out.packets()),
               static_cast<unsigned long long>(st.other_packets),
               static_cast<unsigned long long>(st.reordered_pairs),
               static_cast<unsigned long long>(st.retransmissions),
               static_cast<unsigned long long>(st.seq_wraps),
               plan.def.payload_bytes / 1e6, static_cast<double>(out.bytes()) / 1e6, secs,
               static_cast<double>(out.bytes()) / 1e6 / secs);
  if (!o.sizes.empty()) write_sizes(o.sizes, plan);
  if (!o.truth.empty()) write_truth(o, plan, st, out, secs);
  return 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  try {
    return bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchgen: %s\n", e.what());
    return 2;
  }
}
