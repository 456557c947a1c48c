#include "app/live_notices.h"

namespace tcpflow::app {
namespace {

std::string packets(uint64_t n) {
  return std::to_string(n) + (n == 1 ? " packet" : " packets");
}

}  // namespace

std::string listening_text(const std::string& interface, const std::string& link_type_name,
                           const std::string& link_type_description, uint32_t snaplen) {
  return "listening on " + interface + ", link-type " + link_type_name + " (" +
         link_type_description + "), snapshot length " + std::to_string(snaplen) + " bytes";
}

std::string capture_stats_text(const capture::CaptureStats& stats) {
  return packets(stats.received) + " received by filter, " + packets(stats.dropped_by_kernel) +
         " dropped by kernel, " + packets(stats.dropped_by_interface) + " dropped by interface";
}

std::optional<std::string> kernel_drop_warning(const capture::CaptureStats& stats) {
  if (stats.dropped_by_kernel == 0) return std::nullopt;
  return "the kernel dropped " + packets(stats.dropped_by_kernel) +
         ": flows that lost packets have gaps (zero-filled; see gap_count in the report)";
}

void add_capture_stats(report::RunSummary& summary, const capture::CaptureStats& stats) {
  summary.values.emplace_back("capture_received", std::to_string(stats.received));
  summary.values.emplace_back("capture_dropped_by_kernel",
                              std::to_string(stats.dropped_by_kernel));
  summary.values.emplace_back("capture_dropped_by_interface",
                              std::to_string(stats.dropped_by_interface));
}

}  // namespace tcpflow::app
