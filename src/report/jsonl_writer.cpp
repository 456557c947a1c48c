#include "report/jsonl_writer.h"

#include <cerrno>
#include <cstring>
#include <string_view>

#include "report/connection_format.h"
#include "decode/tunnel.h"
#include "flow/text_format.h"
#include "report/flow_format.h"
#include "report/json_object.h"
#include "util/error.h"

namespace tcpflow::report {
namespace {

constexpr std::string_view kStandardKeys[] = {
    "filename", "filesize", "flow_id", "connection_id", "connection_count", "direction",
    "family", "src_ip", "src_port", "dst_ip", "dst_port", "vlan", "src_mac", "dst_mac",
    "tunnels", "start_time", "end_time", "start_epoch", "end_epoch", "packets", "first_packet",
    "last_packet", "segments", "bytes", "input_files", "close_reason", "compression", "compressed_size", "gaps", "gap_count",
    "gap_bytes", "conflicts", "conflict_count", "conflict_bytes", "duplicate_bytes",
    "bad_checksum_segments", "bad_ip_checksum_segments", "bad_checksum_replaced", "before_start_segments", "capped_bytes",
    "spilled_blocks", "write_error",
};

bool is_standard_key(std::string_view key) {
  for (std::string_view standard : kStandardKeys) {
    if (key == standard) return true;
  }
  return false;
}

}  // namespace

void JsonlWriter::FileCloser::operator()(FILE* file) const {
  if (file != nullptr) std::fclose(file);
}

JsonlWriter::JsonlWriter(const std::string& path) : path_(path) {
  FILE* file = std::fopen(path.c_str(), "we");
  if (file == nullptr) {
    throw Error("cannot create " + path + ": " + std::strerror(errno));
  }
  file_.reset(file);
}

std::string JsonlWriter::format(const flow::FlowInfo& info,
                                const std::vector<std::pair<std::string, std::string>>& extra,
                                uint64_t shard_seq) {
  const reassembly::ReassemblyStats& r = info.reassembly;
  JsonObject json;
  if (shard_seq != 0) json.add("shard_seq", shard_seq);
  json.add("filename", info.filename);
  json.add("filesize", info.file_size);
  json.add("flow_id", info.flow_id);
  json.add("connection_id", info.connection_id);
  json.add("connection_count", uint64_t{info.connection_count});
  json.add("direction", direction_name(info));
  json.add("family", family_name(info.src));
  json.add("src_ip", ip_to_string(info.src));
  json.add("src_port", uint64_t{info.src_port});
  json.add("dst_ip", ip_to_string(info.dst));
  json.add("dst_port", uint64_t{info.dst_port});
  if (info.vlan != decode::kNoVlan) {
    json.add("vlan", uint64_t{info.vlan});
  } else {
    json.add_null("vlan");
  }
  if (info.has_macs) {
    json.add("src_mac", mac_to_string(info.src_mac));
    json.add("dst_mac", mac_to_string(info.dst_mac));
  } else {
    json.add_null("src_mac");
    json.add_null("dst_mac");
  }
  if (!info.tunnels.empty()) {
    json.add("tunnels", flow::describe_tunnels(info.tunnels));
  } else {
    json.add_null("tunnels");
  }
  json.add("start_time", iso8601_utc(info.first_ts));
  json.add("end_time", iso8601_utc(info.last_ts));
  json.add_number_text("start_epoch", epoch_decimal(info.first_ts));
  json.add_number_text("end_epoch", epoch_decimal(info.last_ts));
  json.add("packets", info.packets);
  json.add("first_packet", info.first_packet_number);
  json.add("last_packet", info.last_packet_number);
  json.add("segments", r.segments);
  json.add("bytes", r.payload_bytes);
  json.add_strings("input_files", info.input_files.names());
  json.add("close_reason", flow::close_reason_name(info.close_reason));
  if (!info.compression.empty()) {
    json.add("compression", info.compression);
    json.add("compressed_size", info.compressed_size);
  }
  json.add_ranges("gaps", r.gaps);
  json.add("gap_count", uint64_t{r.gaps.size()});
  json.add("gap_bytes", gap_bytes(info));
  json.add_ranges("conflicts", r.conflicts);
  json.add("conflict_count", r.conflict_count);
  json.add("conflict_bytes", r.conflict_bytes);
  json.add("duplicate_bytes", r.duplicate_bytes);
  json.add("bad_checksum_segments", r.bad_checksum_segments);
  json.add("bad_ip_checksum_segments", r.bad_ip_checksum_segments);
  json.add("bad_checksum_replaced", r.bad_checksum_replaced);
  json.add("before_start_segments", r.before_start_segments);
  json.add("capped_bytes", r.capped_bytes);
  json.add("spilled_blocks", r.spilled_blocks);
  if (info.write_failed) {
    json.add("write_error", info.write_error.empty() ? std::string("write failed") : info.write_error);
  } else {
    json.add_null("write_error");
  }
  for (const auto& [name, value] : extra) {
    json.add(is_standard_key(name) ? "extra_" + name : name, value);
  }
  return json.str();
}

void JsonlWriter::write(const flow::FlowInfo& info,
                        const std::vector<std::pair<std::string, std::string>>& extra,
                        uint64_t shard_seq) {
  if (!file_) return;
  write_line(format(info, extra, shard_seq));
}

void JsonlWriter::write_connection(const flow::ConnectionRecord& record, uint64_t shard_seq) {
  if (!file_) return;
  write_line(with_shard_seq(connection_json(record), shard_seq));
}

std::string JsonlWriter::with_shard_seq(std::string line, uint64_t shard_seq) {
  if (shard_seq == 0 || line.empty() || line[0] != '{') return line;
  return "{\"shard_seq\":" + std::to_string(shard_seq) + (line.size() > 2 ? "," : "") +
         line.substr(1);
}

void JsonlWriter::write_line(std::string line) {
  line += '\n';
  bool written = std::fwrite(line.data(), 1, line.size(), file_.get()) == line.size();
  if (std::fflush(file_.get()) != 0) written = false;
  if (!written && error_.empty()) {
    error_ = path_ + ": write failed: " + std::strerror(errno);
  }
  ++lines_;
}

}  // namespace tcpflow::report
