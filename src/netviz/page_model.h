// Everything the netviz page shows, as numbers and strings ready to draw:
// computed from the collected TrafficStats and the run's counters, with no
// drawing library involved (the renderer only lays this out).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "netviz/traffic_stats.h"
#include "util/stats.h"

namespace tcpflow::netviz {

// The run-wide facts of the header that the collector does not hold.
struct RunFacts {
  std::vector<std::string> inputs;
  uint64_t packets = 0;
  uint64_t captured_bytes = 0;
  uint64_t connections = 0;
  uint64_t flows_written = 0;
  uint64_t non_tcp = 0;
  uint64_t malformed = 0;  // cut short or impossible headers
  uint64_t dropped = 0;    // read but not used: unsupported link, lost fragments, late segments
  bool from_report = false;  // --netviz-from: no packets, flow bytes instead
  std::string report_path;   // --netviz-from: the report drawn
};

// The header's counts from the run's counters (the same in both modes).
RunFacts facts_from_stats(const Stats& stats);

struct StackSeries {
  std::string label;  // "80 http", "other TCP", "non-TCP"
  int color = 0;      // palette index; -1: grey
  std::vector<uint64_t> values;  // one per bucket
  uint64_t total = 0;
};

struct TrafficPanel {
  bool empty = true;
  int64_t start_ns = 0;   // the first bucket's start
  int64_t bucket_ns = 0;  // bucket width
  std::vector<StackSeries> stacks;  // bottom to top
  std::vector<uint64_t> retransmitted;  // bytes per bucket
  std::vector<uint64_t> broken;         // gaps + conflicts per bucket
};

struct RankedRow {
  std::string label;   // address, or "80 (http)"
  uint64_t value = 0;
  double share = 0;    // of the panel's total, 0..1
  int color = -1;      // ports: the palette index used everywhere for that port
};

struct PageModel {
  std::string title;
  std::vector<std::string> header_lines;
  TrafficPanel traffic;
  std::string bytes_unit_note;  // what "bytes" means on this page
  std::vector<RankedRow> top_senders, top_receivers;
  bool talkers_approximate = false;
  std::vector<RankedRow> ports_by_bytes, ports_by_connections;
  std::vector<ConnectionPoint> points;
  uint64_t connections = 0;   // all of them (points may be a sample)
  std::vector<std::pair<uint16_t, int>> port_colors;  // legend of the scatter
  bool sizes_available = true;
  std::array<uint64_t, kSizeBins> sizes{};
  std::array<std::string, kSizeBins> size_labels;
};

// `now_rows` are the time buckets that hold data (others are trimmed).
PageModel build_page(const TrafficStats& stats, const RunFacts& facts);

// "1,234,567"
std::string with_commas(uint64_t n);
// "1.2 MB" (decimal units), "512 B"
std::string human_bytes(double bytes);
// "2024-05-01 12:00:00.250 UTC"
std::string utc_text(const Timestamp& ts);
// "1.5 s", "2 min 3 s", "3 h 2 min", "4 d 3 h"
std::string duration_text(double seconds);
// A width in ns as "20 ms", "2 min", "6 h".
std::string width_text(int64_t ns);
// "80 (http)" or "8123"
std::string port_label(uint16_t port);

// Colour indices: 0..kPaletteSize-1 a port's colour, -1 other ports.
constexpr int kPaletteSize = 10;
constexpr int kNonTcpColor = -2, kAddressColor = -3;

}  // namespace tcpflow::netviz
