#include "report/connection_format.h"

#include "report/flow_format.h"
#include "report/json_object.h"

namespace tcpflow::report {

Timestamp connection_duration(const flow::ConnectionRecord& record) {
  const Timestamp& a = record.start;
  const Timestamp& b = record.end;
  if (b < a) return Timestamp{};
  Timestamp d;
  d.sec = b.sec - a.sec;
  if (b.nsec >= a.nsec) {
    d.nsec = b.nsec - a.nsec;
  } else {
    d.sec -= 1;
    d.nsec = 1000000000u + b.nsec - a.nsec;
  }
  return d;
}

std::string connection_json(const flow::ConnectionRecord& r) {
  JsonObject json;
  json.add("record", "connection");
  json.add("connection_id", r.connection_id);
  json.add("family", family_name(r.orig_ip));
  json.add("orig_ip", ip_to_string(r.orig_ip));
  json.add("orig_port", uint64_t{r.orig_port});
  json.add("resp_ip", ip_to_string(r.resp_ip));
  json.add("resp_port", uint64_t{r.resp_port});
  if (r.vlan != decode::kNoVlan) {
    json.add("vlan", uint64_t{r.vlan});
  } else {
    json.add_null("vlan");
  }
  json.add("start_time", iso8601_utc(r.start));
  json.add("end_time", iso8601_utc(r.end));
  json.add_number_text("start_epoch", epoch_decimal(r.start));
  json.add_number_text("end_epoch", epoch_decimal(r.end));
  json.add_number_text("duration", epoch_decimal(connection_duration(r)));
  json.add("state", flow::conn_state_name(r.state));
  json.add("history", r.history);
  json.add("orig_packets", r.orig_packets);
  json.add("orig_bytes", r.orig_bytes);
  json.add("resp_packets", r.resp_packets);
  json.add("resp_bytes", r.resp_bytes);
  json.add("flow_files", uint64_t{r.flow_files});
  json.add("close_reason", flow::close_reason_name(r.close_reason));
  return json.str();
}

void emit_connection(XmlEmitter& xml, const flow::ConnectionRecord& r, uint64_t shard_seq) {
  xml.open("tcpflow:connection");
  if (shard_seq != 0) xml.attribute("tcpflow:shard_seq", shard_seq);
  xml.attribute("connection_id", r.connection_id);
  xml.attribute("family", family_name(r.orig_ip));
  xml.attribute("orig_ip", ip_to_string(r.orig_ip));
  xml.attribute("orig_port", r.orig_port);
  xml.attribute("resp_ip", ip_to_string(r.resp_ip));
  xml.attribute("resp_port", r.resp_port);
  if (r.vlan != decode::kNoVlan) xml.attribute("vlan", r.vlan);
  xml.attribute("start_time", r.start);
  xml.attribute("end_time", r.end);
  xml.attribute("duration", epoch_decimal(connection_duration(r)));
  xml.attribute("state", flow::conn_state_name(r.state));
  xml.attribute("history", r.history);
  xml.attribute("orig_packets", r.orig_packets);
  xml.attribute("orig_bytes", r.orig_bytes);
  xml.attribute("resp_packets", r.resp_packets);
  xml.attribute("resp_bytes", r.resp_bytes);
  xml.attribute("flow_files", uint64_t{r.flow_files});
  xml.attribute("close_reason", flow::close_reason_name(r.close_reason));
  xml.close();
}

}  // namespace tcpflow::report
