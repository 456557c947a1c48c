#include "report/dfxml_fileobject.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "decode/tunnel.h"
#include "flow/text_format.h"
#include "report/flow_format.h"
#include "report/text_escape.h"

namespace tcpflow::report {
namespace {

// DFXML's own fileobject children that scanners may supply. Everything else
// is an extension and must live in another namespace.
enum class ChildKind : uint8_t { kLibmagic, kHashdigest, kExtension };

ChildKind kind_of(const XmlChild& child) {
  if (child.name == "libmagic") return ChildKind::kLibmagic;
  if (child.name == "hashdigest") return ChildKind::kHashdigest;
  return ChildKind::kExtension;
}

void emit_attributes(XmlEmitter& xml, const XmlChild& child) {
  for (const auto& [name, value] : child.attributes) {
    xml.attribute(sanitize_xml_name(name), value);
  }
}

// hashdigest and libmagic are text-only in the schema, so children given to
// them are not written.
void emit_dfxml_child(XmlEmitter& xml, const XmlChild& child) {
  xml.open(child.name);
  emit_attributes(xml, child);
  xml.text(child.text, EscapeMode::kText);
  xml.close();
}

void emit_extension_child(XmlEmitter& xml, const XmlChild& child) {
  std::string name = sanitize_xml_name(child.name);
  if (name.find(':') == std::string::npos) name = "tcpflow:" + name;
  xml.open(name);
  emit_attributes(xml, child);
  if (!child.text.empty()) xml.text(child.text, EscapeMode::kText);
  for (const XmlChild& grandchild : child.children) emit_extension_child(xml, grandchild);
  xml.close();
}

void emit_children_of_kind(XmlEmitter& xml, const std::vector<XmlChild>& extra,
                           ChildKind kind) {
  for (const XmlChild& child : extra) {
    if (kind_of(child) != kind) continue;
    if (kind == ChildKind::kExtension) {
      emit_extension_child(xml, child);
    } else {
      emit_dfxml_child(xml, child);
    }
  }
}

void emit_run(XmlEmitter& xml, uint64_t offset, uint64_t length, bool zero_filled) {
  xml.open("byte_run");
  xml.attribute("file_offset", offset);
  xml.attribute("len", length);
  if (zero_filled) xml.attribute("fill", "0");
  xml.close();
}

// The file as alternating runs of captured data and zero-filled gaps, in the
// vocabulary generic DFXML tools already understand (fill="0" marks bytes
// that were never seen on the wire). Gaps are clipped to the file size, which
// is smaller than the stream when -b capped it.
void emit_byte_runs(XmlEmitter& xml, const flow::FlowInfo& info) {
  if (info.file_size == 0) return;
  xml.open("byte_runs");
  uint64_t cursor = 0;
  for (const auto& gap : info.reassembly.gaps) {
    uint64_t start = std::max(gap.offset, cursor);
    uint64_t end = std::min(gap.offset + gap.length, info.file_size);
    if (start >= end) continue;
    if (start > cursor) emit_run(xml, cursor, start - cursor, false);
    emit_run(xml, start, end - start, true);
    cursor = end;
  }
  if (cursor < info.file_size) emit_run(xml, cursor, info.file_size - cursor, false);
  xml.close();
}

void emit_ranges(XmlEmitter& xml, const char* element,
                 const std::vector<reassembly::ByteRange>& ranges) {
  for (const auto& range : ranges) {
    xml.open(element);
    xml.attribute("offset", range.offset);
    xml.attribute("length", range.length);
    xml.close();
  }
}

// --proxy: the stream offset and time of each read (the proxy caps how many
// it keeps); `listed` < `count` says the later reads were left out.
void emit_read_times(XmlEmitter& xml, const flow::FlowInfo& info) {
  const std::vector<flow::WriteTimes::Entry>& entries = info.write_times->list();
  size_t listed = entries.size();
  xml.open("tcpflow:reads");
  xml.attribute("count", info.packets);
  xml.attribute("listed", listed);
  for (size_t i = 0; i < listed; ++i) {
    xml.open("tcpflow:read");
    xml.attribute("offset", entries[i].offset);
    xml.attribute("length", entries[i].end - entries[i].offset);
    xml.attribute("time", entries[i].ts);
    xml.close();
  }
  xml.close();
}

void attribute_unless_zero(XmlEmitter& xml, std::string_view name, uint64_t value) {
  if (value != 0) xml.attribute(name, value);
}

// Inputs are left out when they are just the report's single <source>
// (`sole_input`), as they are for every flow of a run that read one file.
bool inputs_are_default(const flow::InputFiles& inputs, const std::string* sole_input) {
  return sole_input != nullptr && inputs.size() == 1 && inputs[0] == *sole_input;
}

// Attributes holding their default are left out (FORMAT.md, "Left out when
// default"); flow_id and end_time are never written, as the fileobject's
// <id> and <mtime> hold the same values.
void emit_flow(XmlEmitter& xml, const flow::FlowInfo& info, const std::string* sole_input) {
  const reassembly::ReassemblyStats& r = info.reassembly;
  xml.open("tcpflow:flow");
  std::string_view family = family_name(info.src);
  if (family != kDefaultFamily) xml.attribute("family", family);
  xml.attribute("src_ip", ip_to_string(info.src));
  xml.attribute("src_port", info.src_port);
  xml.attribute("dst_ip", ip_to_string(info.dst));
  xml.attribute("dst_port", info.dst_port);
  if (info.vlan != decode::kNoVlan) xml.attribute("vlan", info.vlan);
  if (info.has_macs) {
    xml.attribute("src_mac", flow::view(flow::mac_text(info.src_mac)));
    xml.attribute("dst_mac", flow::view(flow::mac_text(info.dst_mac)));
  }
  if (!info.tunnels.empty()) xml.attribute("tunnels", flow::describe_tunnels(info.tunnels));
  xml.attribute("direction", direction_name(info));
  xml.attribute("connection_id", info.connection_id);
  attribute_unless_zero(xml, "connection_count", info.connection_count);
  xml.attribute("start_time", info.first_ts);
  xml.attribute("packets", info.packets);
  xml.attribute("first_packet", info.first_packet_number);
  xml.attribute("last_packet", info.last_packet_number);
  xml.attribute("segments", r.segments);
  if (r.payload_bytes != info.file_size) xml.attribute("bytes", r.payload_bytes);
  std::string_view close_reason = flow::close_reason_name(info.close_reason);
  if (close_reason != kDefaultCloseReason) xml.attribute("close_reason", close_reason);
  if (!info.compression.empty()) {
    xml.attribute("compression", info.compression);
    xml.attribute("compressed_size", info.compressed_size);
  }
  attribute_unless_zero(xml, "gap_count", r.gaps.size());
  attribute_unless_zero(xml, "gap_bytes", gap_bytes(info));
  attribute_unless_zero(xml, "duplicate_bytes", r.duplicate_bytes);
  attribute_unless_zero(xml, "conflict_count", r.conflict_count);
  attribute_unless_zero(xml, "conflict_bytes", r.conflict_bytes);
  attribute_unless_zero(xml, "bad_checksum_segments", r.bad_checksum_segments);
  attribute_unless_zero(xml, "bad_ip_checksum_segments", r.bad_ip_checksum_segments);
  attribute_unless_zero(xml, "bad_checksum_replaced", r.bad_checksum_replaced);
  attribute_unless_zero(xml, "before_start_segments", r.before_start_segments);
  attribute_unless_zero(xml, "capped_bytes", r.capped_bytes);
  attribute_unless_zero(xml, "spilled_blocks", r.spilled_blocks);
  if (info.write_failed) xml.attribute("write_failed", "1");
  if (!inputs_are_default(info.input_files, sole_input)) {
    for (size_t i = 0; i < info.input_files.size(); ++i) {
      xml.leaf("tcpflow:input", info.input_files[i]);
    }
  }
  emit_ranges(xml, "tcpflow:gap", r.gaps);
  emit_ranges(xml, "tcpflow:conflict", r.conflicts);
  if (info.list_write_times && info.write_times) emit_read_times(xml, info);
  xml.close();
}

}  // namespace

// Children follow the order the schema's fileobject_type sequence demands:
// filename, error, id, name_type, filesize, mtime, libmagic, byte_runs,
// hashdigest, then extension elements.
void emit_fileobject(XmlEmitter& xml, const flow::FlowInfo& info,
                     const std::vector<XmlChild>& extra, const std::string* sole_input,
                     uint64_t shard_seq) {
  xml.open("fileobject");
  if (shard_seq != 0) xml.attribute("tcpflow:shard_seq", shard_seq);
  if (!info.filename.empty()) xml.leaf("filename", info.filename);
  if (info.write_failed) {
    xml.leaf("error", info.write_error.empty() ? std::string("write failed") : info.write_error);
  }
  xml.leaf("id", info.flow_id);  // <tcpflow:flow> leaves flow_id to this
  if (!info.filename.empty()) xml.leaf("name_type", "r");
  xml.leaf("filesize", info.file_size);
  // The time the output module stamps on the flow file: its last packet
  // (<tcpflow:flow> leaves end_time to this).
  xml.leaf("mtime", info.last_ts);
  emit_children_of_kind(xml, extra, ChildKind::kLibmagic);
  emit_byte_runs(xml, info);
  emit_children_of_kind(xml, extra, ChildKind::kHashdigest);
  emit_flow(xml, info, sole_input);
  emit_children_of_kind(xml, extra, ChildKind::kExtension);
  xml.close();
}

}  // namespace tcpflow::report
