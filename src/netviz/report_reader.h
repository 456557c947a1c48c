// --netviz-from: fills the collector from a finished run's report.xml, so
// the page can be drawn without the capture. Flows carry no packet sizes
// or per-packet times, so traffic is each flow's payload bytes spread over
// its lifetime.
#pragma once
#include <string>

#include "netviz/page_model.h"
#include "netviz/traffic_stats.h"

namespace tcpflow::netviz {

// Reads `path` (a tcpflow report.xml); throws tcpflow::Error when it cannot
// be read or is not one.
void read_report(const std::string& path, TrafficStats& stats, RunFacts& facts);

// "2024-05-01T12:00:00.250000Z" as written in the report; false if not.
bool parse_report_time(const char* text, Timestamp& ts);

}  // namespace tcpflow::netviz
