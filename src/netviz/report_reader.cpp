#include "netviz/report_reader.h"

#include <arpa/inet.h>
#include <tinyxml2.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>

#include "util/error.h"
#include "util/stats.h"

namespace tcpflow::netviz {

namespace {

constexpr size_t kMaxGapsPerFlow = 1 << 16;  // only counted; a hostile report cannot balloon

bool parse_address(const char* text, decode::IpAddress& address) {
  if (!text) return false;
  if (::inet_pton(AF_INET, text, address.bytes.data()) == 1) {
    address.family = 4;
    return true;
  }
  if (::inet_pton(AF_INET6, text, address.bytes.data()) == 1) {
    address.family = 6;
    return true;
  }
  return false;
}

uint64_t number(const tinyxml2::XMLElement* e, const char* name) {
  return e->Unsigned64Attribute(name, 0);
}

// The text of `parent`'s child `name`, or null.
const char* leaf_text(const tinyxml2::XMLElement* parent, const char* name) {
  const tinyxml2::XMLElement* child = parent->FirstChildElement(name);
  return child ? child->GetText() : nullptr;
}

// `e` is the <tcpflow:flow> of `object`. A missing attribute holds its
// default (src/report/FORMAT.md): counters 0; end_time and bytes those of
// the fileobject's <mtime> and <filesize>.
bool flow_from(const tinyxml2::XMLElement* object, const tinyxml2::XMLElement* e,
               flow::FlowInfo& info) {
  if (!parse_address(e->Attribute("src_ip"), info.src) ||
      !parse_address(e->Attribute("dst_ip"), info.dst)) {
    return false;
  }
  info.src_port = static_cast<uint16_t>(e->UnsignedAttribute("src_port", 0));
  info.dst_port = static_cast<uint16_t>(e->UnsignedAttribute("dst_port", 0));
  const char* direction = e->Attribute("direction");
  info.direction_known = direction && std::strcmp(direction, "unknown") != 0;
  info.is_client = direction && std::strcmp(direction, "client") == 0;
  info.connection_id = number(e, "connection_id");
  if (!parse_report_time(e->Attribute("start_time"), info.first_ts)) return false;
  const char* end_time = e->Attribute("end_time");
  if (!end_time) end_time = leaf_text(object, "mtime");
  if (!parse_report_time(end_time, info.last_ts)) info.last_ts = info.first_ts;
  info.packets = number(e, "packets");
  const char* filesize = leaf_text(object, "filesize");
  info.file_size = filesize ? std::strtoull(filesize, nullptr, 10) : 0;
  info.reassembly.payload_bytes = e->Unsigned64Attribute("bytes", info.file_size);
  info.reassembly.duplicate_bytes = number(e, "duplicate_bytes");
  info.reassembly.conflict_count = number(e, "conflict_count");
  uint64_t gaps = number(e, "gap_count");
  info.reassembly.gaps.resize(gaps < kMaxGapsPerFlow ? gaps : kMaxGapsPerFlow);
  return true;
}

Counter counter_named(std::string_view name, bool& found) {
  for (size_t i = 0; i < kCounterCount; ++i) {
    if (counter_name(static_cast<Counter>(i)) == name) {
      found = true;
      return static_cast<Counter>(i);
    }
  }
  found = false;
  return Counter::kPacketsRead;
}

}  // namespace

bool parse_report_time(const char* text, Timestamp& ts) {
  if (!text) return false;
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &consumed) != 6) {
    return false;
  }
  uint32_t nsec = 0;
  const char* p = text + consumed;
  if (*p == '.') {
    uint32_t scale = 100000000;
    for (++p; *p >= '0' && *p <= '9'; ++p) {
      nsec += static_cast<uint32_t>(*p - '0') * scale;
      scale /= 10;
    }
  }
  if (*p != 'Z') return false;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  ts.sec = static_cast<int64_t>(::timegm(&tm));
  ts.nsec = nsec;
  return true;
}

void read_report(const std::string& path, TrafficStats& stats, RunFacts& facts) {
  tinyxml2::XMLDocument doc;
  if (doc.LoadFile(path.c_str()) != tinyxml2::XML_SUCCESS) {
    throw Error("cannot read report " + path + ": " + (doc.ErrorStr() ? doc.ErrorStr() : "unknown error"));
  }
  const tinyxml2::XMLElement* root = doc.FirstChildElement("dfxml");
  if (!root) throw Error(path + " is not a tcpflow report (no <dfxml> element)");
  std::vector<std::string> inputs;
  if (const auto* source = root->FirstChildElement("source")) {
    for (const auto* e = source->FirstChildElement("image_filename"); e;
         e = e->NextSiblingElement("image_filename")) {
      if (e->GetText()) inputs.emplace_back(e->GetText());
    }
  }
  for (const auto* object = root->FirstChildElement("fileobject"); object;
       object = object->NextSiblingElement("fileobject")) {
    const auto* flow_element = object->FirstChildElement("tcpflow:flow");
    flow::FlowInfo info;
    if (!flow_element || !flow_from(object, flow_element, info)) continue;
    const reassembly::ReassemblyStats& rs = info.reassembly;
    stats.add_flow_traffic(info, rs.payload_bytes > rs.duplicate_bytes
                                     ? rs.payload_bytes - rs.duplicate_bytes : 0);
    stats.add_flow(info);
  }
  stats.finish();
  Stats counters;
  if (const auto* summary = root->FirstChildElement("tcpflow:summary")) {
    for (const auto* e = summary->FirstChildElement("tcpflow:counter"); e;
         e = e->NextSiblingElement("tcpflow:counter")) {
      bool found = false;
      Counter counter = counter_named(e->Attribute("name") ? e->Attribute("name") : "", found);
      if (found) counters.add(counter, number(e, "value"));
    }
  } else {
    std::fprintf(stderr, "tcpflow: %s has no summary (the run did not finish): the header's "
                         "counts are zero\n", path.c_str());
  }
  facts = facts_from_stats(counters);
  facts.inputs = std::move(inputs);
  facts.from_report = true;
  facts.report_path = path;
}

}  // namespace tcpflow::netviz
