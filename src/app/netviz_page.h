// -e netviz in the application: feeds the run's packets and closed flows to
// the collector and draws the page into the output directory at the end;
// and --netviz-from DIR, which draws it from DIR/report.xml alone.
#pragma once
#include <memory>
#include <string>
#include <utility>

#include "app/config.h"
#include "capture/packet_source.h"
#include "decode/decoder.h"
#include "flow/flow_info.h"
#include "netviz/traffic_stats.h"
#include "util/stats.h"

namespace tcpflow::app {

class NetvizPage {
 public:
  // `dir`: where the page goes (the output directory, as reachable after -z).
  NetvizPage(const Config& config, std::string dir) : config_(config), dir_(std::move(dir)) {}

  // One record as decoded; `direction` is the flow table's answer for TCP.
  void add_packet(const capture::Record& record, decode::DecodeResult result,
                  const decode::DecodedPacket& packet, const flow::FlowInfo* direction) {
    bool ip = result == decode::DecodeResult::kTcp || result == decode::DecodeResult::kNotTcp ||
              result == decode::DecodeResult::kFragmentHeld;
    bool tcp = result == decode::DecodeResult::kTcp;
    stats_.add_packet(record.ts, record.wire_len,
                      ip && packet.ip.proto != decode::NetProto::kUnknown ? &packet.ip : nullptr,
                      tcp ? &packet.tcp : nullptr, direction);
  }
  void add_flow(const flow::FlowInfo& info) { stats_.add_flow(info); }
  void connection_closed(uint64_t connection_id) { stats_.connection_closed(connection_id); }

  // Draws report.pdf/png/svg in the output directory; false (said on
  // stderr) when a page could not be written.
  bool draw(const Stats& counters);

 private:
  const Config& config_;
  std::string dir_;
  netviz::TrafficStats stats_;
};

// --netviz-from DIR: the page from DIR/report.xml, written into DIR.
// Returns the exit status; throws tcpflow::Error when the report is unusable.
int draw_netviz_from(const Config& config);

}  // namespace tcpflow::app
