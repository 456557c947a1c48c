// What a live capture says on stderr, in tcpdump's words: the "listening
// on" line once the capture is open, and pcap_stats at the end, with a
// warning when the kernel dropped packets (a flow that lost packets has gaps
// the user must know about). The figures also go into the report's summary.
#pragma once
#include <optional>
#include <string>

#include "capture/live_source.h"
#include "report/run_summary.h"

namespace tcpflow::app {

// "listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes"
std::string listening_text(const std::string& interface, const std::string& link_type_name,
                           const std::string& link_type_description, uint32_t snaplen);
// "12 packets received by filter, 0 packets dropped by kernel, 0 packets dropped by interface"
std::string capture_stats_text(const capture::CaptureStats& stats);
// A warning when the kernel dropped packets; std::nullopt otherwise.
std::optional<std::string> kernel_drop_warning(const capture::CaptureStats& stats);
// capture_received, capture_dropped_by_kernel, capture_dropped_by_interface
// as <tcpflow:value>s of the summary.
void add_capture_stats(report::RunSummary& summary, const capture::CaptureStats& stats);

}  // namespace tcpflow::app
