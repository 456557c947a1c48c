#include "netviz/page_model.h"

#include <algorithm>
#include <numeric>

#include "netviz/services.h"
#include "report/flow_format.h"

namespace tcpflow::netviz {

namespace {

constexpr size_t kTopRows = 10;
constexpr size_t kColoredPorts = 8;

uint64_t sum_of(const Stats& stats, std::initializer_list<Counter> counters) {
  uint64_t total = 0;
  for (Counter c : counters) total += stats.get(c);
  return total;
}

double share(uint64_t part, uint64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

// The ports with the most of `value`, most first; ties by port number.
template <typename Value>
std::vector<uint16_t> top_ports(const TrafficStats& stats, size_t n, Value value) {
  std::vector<uint16_t> ports;
  for (uint32_t p = 0; p < 65536; ++p) {
    if (value(stats.port(static_cast<uint16_t>(p))) > 0) ports.push_back(static_cast<uint16_t>(p));
  }
  auto order = [&](uint16_t a, uint16_t b) {
    uint64_t va = value(stats.port(a)), vb = value(stats.port(b));
    return va != vb ? va > vb : a < b;
  };
  size_t count = std::min(n, ports.size());
  std::partial_sort(ports.begin(), ports.begin() + static_cast<std::ptrdiff_t>(count), ports.end(), order);
  ports.resize(count);
  return ports;
}

int color_of(const std::vector<std::pair<uint16_t, int>>& colors, uint16_t port) {
  for (const auto& [p, c] : colors) {
    if (p == port) return c;
  }
  return -1;
}

std::vector<std::string> header_lines(const TrafficStats& stats, const RunFacts& facts) {
  std::vector<std::string> lines;
  std::string inputs;
  for (size_t i = 0; i < facts.inputs.size() && i < 3; ++i) {
    inputs += (i ? ", " : "") + facts.inputs[i];
  }
  if (facts.inputs.size() > 3) inputs += " and " + std::to_string(facts.inputs.size() - 3) + " more";
  lines.push_back("Input: " + (inputs.empty() ? std::string("(none)") : inputs));
  if (stats.has_time()) {
    double seconds = static_cast<double>(time_ns(stats.last_ts()) - time_ns(stats.first_ts())) / 1e9;
    // The report knows flows, not packets: its times are the flows' first and last.
    const char* first = facts.from_report ? "First flow packet: " : "First packet: ";
    const char* last = facts.from_report ? "Last flow packet: " : "Last packet: ";
    lines.push_back(first + utc_text(stats.first_ts()) + "    " + last + utc_text(stats.last_ts()) +
                    "    Duration: " + duration_text(seconds));
  } else {
    lines.push_back("No packets with a time: nothing to draw over time");
  }
  std::string bytes = facts.from_report
                          ? "Bytes captured: " + with_commas(facts.captured_bytes) + " (" +
                                human_bytes(static_cast<double>(facts.captured_bytes)) + ")"
                          : "Bytes: " + with_commas(stats.wire_bytes()) + " (" +
                                human_bytes(static_cast<double>(stats.wire_bytes())) +
                                ") on the wire";
  uint64_t ip = stats.ipv4_bytes() + stats.ipv6_bytes();
  std::string families;
  if (ip > 0) {
    char text[64];
    std::snprintf(text, sizeof text, "    IPv4 %.1f%%, IPv6 %.1f%% of IP bytes",
                  100 * share(stats.ipv4_bytes(), ip), 100 * share(stats.ipv6_bytes(), ip));
    families = text;
  }
  lines.push_back("Packets: " + with_commas(facts.packets) + "    " + bytes + families);
  lines.push_back("TCP connections: " + with_commas(facts.connections) + "    Flows written: " +
                  with_commas(facts.flows_written) + "    Non-TCP packets: " +
                  with_commas(facts.non_tcp) + "    Malformed: " + with_commas(facts.malformed) +
                  "    Dropped: " + with_commas(facts.dropped));
  if (facts.from_report) {
    lines.push_back("Drawn from " + facts.report_path +
                    ": byte counts below are TCP payload bytes of the recorded flows");
  }
  return lines;
}

TrafficPanel traffic_panel(const TrafficStats& stats,
                           const std::vector<std::pair<uint16_t, int>>& colors) {
  TrafficPanel panel;
  const TimeHistogram& h = stats.histogram();
  if (h.empty() || !stats.has_time()) return panel;
  size_t first = h.index(time_ns(stats.first_ts()));
  size_t last = h.index(time_ns(stats.last_ts()));
  panel.empty = false;
  panel.start_ns = h.origin_ns() + static_cast<int64_t>(first) * h.width_ns();
  panel.bucket_ns = h.width_ns();
  auto column = [&](size_t c) {
    std::vector<uint64_t> values;
    for (size_t i = first; i <= last; ++i) values.push_back(h.rows()[i][c]);
    return values;
  };
  StackSeries other{"other TCP", -1, column(kColumnOtherTcp), 0};
  std::vector<StackSeries> ports;
  for (size_t slot = 1; slot <= kPortSlots; ++slot) {
    std::vector<uint64_t> values = column(kColumnFirstPort + slot - 1);
    int color = color_of(colors, stats.slot_port(slot));
    if (color < 0) {
      for (size_t i = 0; i < values.size(); ++i) other.values[i] += values[i];
    } else {
      ports.push_back({port_label(stats.slot_port(slot)), color, std::move(values), 0});
    }
  }
  std::sort(ports.begin(), ports.end(),
            [](const StackSeries& a, const StackSeries& b) { return a.color < b.color; });
  ports.push_back(std::move(other));
  ports.push_back({"non-TCP / undecoded", kNonTcpColor, column(kColumnNonTcp), 0});
  for (StackSeries& s : ports) {
    s.total = std::accumulate(s.values.begin(), s.values.end(), uint64_t{0});
    if (s.total > 0) panel.stacks.push_back(std::move(s));
  }
  panel.retransmitted = column(kColumnRetransmitted);
  panel.broken = column(kColumnGaps);
  std::vector<uint64_t> conflicts = column(kColumnConflicts);
  for (size_t i = 0; i < conflicts.size(); ++i) panel.broken[i] += conflicts[i];
  return panel;
}

std::vector<RankedRow> talker_rows(const std::vector<TalkerBytes>& talkers, bool sent,
                                   uint64_t total) {
  std::vector<RankedRow> rows;
  for (const TalkerBytes& t : talkers) {
    uint64_t value = sent ? t.sent : t.received;
    rows.push_back({report::ip_to_string(t.address), value, share(value, total), kAddressColor});
  }
  return rows;
}

}  // namespace

RunFacts facts_from_stats(const Stats& stats) {
  RunFacts facts;
  facts.packets = stats.get(Counter::kPacketsRead);
  facts.captured_bytes = stats.get(Counter::kBytesRead);
  facts.connections = stats.get(Counter::kConnectionsCreated);
  facts.flows_written = stats.get(Counter::kFlowFilesWritten);
  facts.non_tcp = stats.get(Counter::kNonTcpPackets);
  facts.malformed = sum_of(stats, {Counter::kTruncatedLinkHeader, Counter::kTruncatedIpHeader,
                                   Counter::kBadIpHeader, Counter::kIpv6ExtHeaderBad,
                                   Counter::kFragmentsBad, Counter::kTruncatedTcpHeader,
                                   Counter::kBadTcpHeader});
  facts.dropped = sum_of(stats, {Counter::kUnsupportedLinkType, Counter::kFragmentsTimedOut,
                                 Counter::kFragmentsOverLimit, Counter::kSegmentsBeforeStart,
                                 Counter::kDataAfterClose});
  return facts;
}

PageModel build_page(const TrafficStats& stats, const RunFacts& facts) {
  PageModel page;
  page.title = "tcpflow netviz";
  page.header_lines = header_lines(stats, facts);
  page.bytes_unit_note = facts.from_report ? "TCP payload bytes" : "bytes on the wire";

  std::vector<uint16_t> colored = top_ports(stats, kColoredPorts,
                                            [](const PortCounts& c) { return c.bytes; });
  for (size_t i = 0; i < colored.size(); ++i) page.port_colors.emplace_back(colored[i], static_cast<int>(i));
  page.traffic = traffic_panel(stats, page.port_colors);

  uint64_t ip_total = stats.ipv4_bytes() + stats.ipv6_bytes();
  page.top_senders = talker_rows(stats.talkers().top_senders(kTopRows), true, ip_total);
  page.top_receivers = talker_rows(stats.talkers().top_receivers(kTopRows), false, ip_total);
  page.talkers_approximate = stats.talkers().pruned();

  uint64_t tcp_bytes = 0, tcp_connections = 0;
  for (uint32_t p = 0; p < 65536; ++p) {
    tcp_bytes += stats.port(static_cast<uint16_t>(p)).bytes;
    tcp_connections += stats.port(static_cast<uint16_t>(p)).connections;
  }
  for (uint16_t p : top_ports(stats, kTopRows, [](const PortCounts& c) { return c.bytes; })) {
    page.ports_by_bytes.push_back({port_label(p), stats.port(p).bytes,
                                   share(stats.port(p).bytes, tcp_bytes), color_of(page.port_colors, p)});
  }
  for (uint16_t p : top_ports(stats, kTopRows, [](const PortCounts& c) { return c.connections; })) {
    page.ports_by_connections.push_back({port_label(p), stats.port(p).connections,
                                         share(stats.port(p).connections, tcp_connections),
                                         color_of(page.port_colors, p)});
  }
  page.points = stats.points();
  page.connections = stats.connections();
  page.sizes_available = !facts.from_report;
  page.sizes = stats.packet_sizes();
  for (size_t i = 0; i < kSizeBins; ++i) {
    page.size_labels[i] = i + 1 == kSizeBins ? std::to_string(kSizeEdges[i]) + "+"
                          : i == 0           ? "<" + std::to_string(kSizeEdges[1])
                                             : std::to_string(kSizeEdges[i]) + "-" +
                                         std::to_string(kSizeEdges[i + 1] - 1);
  }
  return page;
}

}  // namespace tcpflow::netviz
