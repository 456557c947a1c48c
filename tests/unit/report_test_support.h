// Shared by the report tests: sample flows that exercise every field, a
// temporary directory, file helpers and a strict JSON checker.
#pragma once
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "flow/flow_info.h"
#include "report/run_context.h"
#include "report/xml_child.h"
#include "report/xml_emitter.h"

namespace tcpflow::report::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/tcpflow-report-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// What `write` makes an XmlEmitter write, once the emitter is gone.
inline std::string emitted_xml(const std::function<void(XmlEmitter&)>& write) {
  char* text = nullptr;
  size_t size = 0;
  FILE* memory = open_memstream(&text, &size);
  if (memory == nullptr) return "open_memstream failed";
  {
    XmlEmitter xml(memory);
    write(xml);
  }
  std::fclose(memory);
  std::string written(text, size);
  free(text);
  return written;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A hostile name: markup characters, invalid UTF-8, a control character, a
// backslash and a valid non-ASCII character.
inline const std::string kHostileName = std::string("odd<&'\">\xff\xfe\x01\\caf\xc3\xa9");
// The same name after escape_bytes().
inline const std::string kHostileNameEscaped = "odd<&'\">\\xff\\xfe\\x01\\\\caf\xc3\xa9";

inline decode::IpAddress ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress ip;
  ip.family = 4;
  ip.bytes[0] = a, ip.bytes[1] = b, ip.bytes[2] = c, ip.bytes[3] = d;
  return ip;
}

inline decode::IpAddress ipv6(std::initializer_list<uint8_t> bytes) {
  decode::IpAddress ip;
  ip.family = 6;
  size_t i = 0;
  for (uint8_t byte : bytes) ip.bytes[i++] = byte;
  return ip;
}

// Four flow directions: an IPv4 connection on VLAN 100 with MACs (client side
// with an md5, server side with gaps and conflicts), an IPv6 flow with
// nanosecond times, a hostile name, two inputs and a write error, and a flow
// with no file at all.
inline std::vector<flow::FlowInfo> sample_flows() {
  std::vector<flow::FlowInfo> flows(4);

  flow::FlowInfo& client = flows[0];
  client.src = ipv4(192, 168, 0, 10);
  client.dst = ipv4(93, 184, 216, 34);
  client.src_port = 51000;
  client.dst_port = 80;
  client.vlan = 100;
  client.has_macs = true;
  client.src_mac = {0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc};
  client.dst_mac = {0x66, 0x77, 0x88, 0x99, 0x0a, 0x0b};
  client.connection_id = 1;
  client.flow_id = 0;
  client.is_client = true;
  client.direction_known = true;
  client.first_ts = {1714564800, 250000000};
  client.last_ts = {1714564801, 0};
  client.packets = 5;
  client.first_packet_number = 1;
  client.last_packet_number = 9;
  client.input_files = {"in.pcap"};
  client.filename = "192.168.000.010.51000-093.184.216.034.00080--100";
  client.file_size = 420;
  client.close_reason = flow::CloseReason::kFin;
  client.reassembly.segments = 5;
  client.reassembly.payload_bytes = 420;

  flow::FlowInfo& server = flows[1];
  server = client;
  std::swap(server.src, server.dst);
  std::swap(server.src_port, server.dst_port);
  std::swap(server.src_mac, server.dst_mac);
  server.flow_id = 1;
  server.is_client = false;
  server.first_packet_number = 2;
  server.last_packet_number = 10;
  server.filename = "093.184.216.034.00080-192.168.000.010.51000--100";
  server.file_size = 1000;
  server.close_reason = flow::CloseReason::kRst;
  server.reassembly.segments = 12;
  server.reassembly.payload_bytes = 960;
  server.reassembly.duplicate_bytes = 30;
  server.reassembly.conflict_count = 1;
  server.reassembly.conflict_bytes = 4;
  server.reassembly.conflicts = {{10, 4}};
  server.reassembly.gaps = {{100, 20}, {300, 50}};
  server.reassembly.bad_checksum_segments = 2;
  server.reassembly.bad_ip_checksum_segments = 3;
  server.reassembly.bad_checksum_replaced = 1;

  flow::FlowInfo& v6 = flows[2];
  v6.src = ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01});
  v6.dst = ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02});
  v6.src_port = 443;
  v6.dst_port = 51001;
  v6.connection_id = 2;
  v6.flow_id = 2;
  v6.connection_count = 1;
  v6.first_ts = {1714564802, 123456789};
  v6.last_ts = {1714564803, 5};
  v6.packets = 3;
  v6.first_packet_number = 11;
  v6.last_packet_number = 14;
  v6.input_files = {"in.pcap", "second " + kHostileName + ".pcap"};
  v6.filename = kHostileName;
  v6.file_size = 64;
  v6.close_reason = flow::CloseReason::kTimeout;
  v6.write_failed = true;
  v6.write_error = "No space left on device";
  v6.reassembly.segments = 3;
  v6.reassembly.payload_bytes = 64;
  v6.reassembly.capped_bytes = 7;
  v6.reassembly.before_start_segments = 1;
  v6.reassembly.spilled_blocks = 2;

  flow::FlowInfo& nofile = flows[3];
  nofile.src = ipv4(10, 0, 0, 1);
  nofile.dst = ipv4(10, 0, 0, 2);
  nofile.src_port = 1;
  nofile.dst_port = 2;
  nofile.connection_id = 3;
  nofile.flow_id = 3;
  nofile.first_ts = {1714564804, 0};
  nofile.last_ts = {1714564804, 0};
  nofile.packets = 1;
  nofile.first_packet_number = 15;
  nofile.last_packet_number = 15;
  nofile.input_files = {"in.pcap"};
  nofile.close_reason = flow::CloseReason::kEndOfInput;
  return flows;
}

// Fixed provenance so a report written from these flows differs between
// runs only in <rusage>.
inline RunContext sample_context() {
  RunContext ctx;
  ctx.version = "2.0.0";
  ctx.command_line = "tcpflow -r in.pcap -o out -S jsonl=flows.jsonl 'port 80'";
  ctx.start_time = "2024-05-01T12:00:00Z";
  ctx.host = "sensor-1";
  ctx.os_sysname = "Linux";
  ctx.os_release = "6.1.0";
  ctx.os_version = "#1 SMP";
  ctx.arch = "x86_64";
  ctx.uid = "1000";
  ctx.username = "analyst";
  ctx.build.compiler = "GCC 12.2.0";
  ctx.build.compilation_date = "2024-04-30T08:00:00";
  ctx.build.flags = "-O2 -g";
  ctx.build.libraries = {{"zlib", "1.2.13"}, {"tinyxml2", "9.0.0"}};
  ctx.runtime_libraries = {{"libpcap", "libpcap version 1.10.3"}, {"boost", "1_74"}};
  ctx.configuration = {{"outdir", "out"}, {"max_seek", "16777216"}, {"odd", kHostileName}};
  return ctx;
}

inline std::vector<XmlChild> sample_extra() {
  XmlChild http = XmlChild::leaf("http");
  http.attr("status", "200").add(XmlChild::leaf("content_type", "text/html"));
  return {XmlChild::leaf("hashdigest", "d41d8cd98f00b204e9800998ecf8427e").attr("type", "md5"),
          http};
}

}  // namespace tcpflow::report::testing
