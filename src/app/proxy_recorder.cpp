#include "app/proxy_recorder.h"

#include "app/process_attribution.h"

#include <chrono>

#include "output/discard_sink.h"
#include "report/dfxml_writer.h"

namespace tcpflow::app {

namespace {

decode::IpAddress ip_of(const proxy::Endpoint& endpoint) {
  decode::IpAddress ip;
  ip.family = endpoint.family;
  ip.bytes = endpoint.bytes;
  return ip;
}

size_t index_of(proxy::Sender from) { return from == proxy::Sender::kClient ? 0 : 1; }

flow::ConnState end_state(const flow::ConnectionRecord&, proxy::EndKind kind,
                          proxy::Sender reset_by, bool client_fin, bool server_fin) {
  if (kind == proxy::EndKind::kReset) {
    return reset_by == proxy::Sender::kClient ? flow::ConnState::kRSTO : flow::ConnState::kRSTR;
  }
  if (client_fin && server_fin) return flow::ConnState::kSF;
  if (client_fin) return flow::ConnState::kS2;
  if (server_fin) return flow::ConnState::kS3;
  return flow::ConnState::kS1;
}

flow::CloseReason close_reason(proxy::EndKind kind) {
  switch (kind) {
    case proxy::EndKind::kClosed: return flow::CloseReason::kFin;
    case proxy::EndKind::kReset: return flow::CloseReason::kRst;
    case proxy::EndKind::kIdle: return flow::CloseReason::kTimeout;
    case proxy::EndKind::kShutdown: break;
  }
  return flow::CloseReason::kEndOfInput;
}

}  // namespace

ProxyRecorder::ProxyRecorder(const proxy::ProxyOptions& options, FlowRecorder& handler,
                             ClosedFlows& closed, report::DfxmlWriter* report)
    : options_(options), handler_(handler), closed_(closed), report_(report) {}

ProxyRecorder::~ProxyRecorder() = default;

bool ProxyRecorder::records(proxy::Sender from) const {
  switch (options_.record) {
    case proxy::RecordSides::kBoth: return true;
    case proxy::RecordSides::kClient: return from == proxy::Sender::kClient;
    case proxy::RecordSides::kServer: return from == proxy::Sender::kServer;
    case proxy::RecordSides::kNone: break;
  }
  return false;
}

void ProxyRecorder::opened(uint64_t id, const proxy::Endpoint& client,
                           const proxy::Endpoint& accepted_at, const proxy::Endpoint& destination,
                           Timestamp now) {
  Connection& c = connections_[id];
  for (proxy::Sender from : {proxy::Sender::kClient, proxy::Sender::kServer}) {
    flow::FlowInfo& info = c.directions[index_of(from)].info;
    bool from_client = from == proxy::Sender::kClient;
    const proxy::Endpoint& src = from_client ? client : destination;
    const proxy::Endpoint& dst = from_client ? destination : client;
    info.src = ip_of(src);
    info.dst = ip_of(dst);
    info.src_port = src.port;
    info.dst_port = dst.port;
    info.connection_id = id;
    info.is_client = from_client;
    info.direction_known = true;
    info.first_ts = info.last_ts = now;
    if (options_.record_times) {
      info.write_times = std::make_shared<flow::WriteTimes>();
      info.list_write_times = true;
    }
  }
  flow::ConnectionRecord& record = c.record;
  record.connection_id = id;
  record.orig_ip = ip_of(client);
  record.resp_ip = ip_of(destination);
  record.orig_port = client.port;
  record.resp_port = destination.port;
  record.start = record.end = now;
  // The client's socket is (client, accepted_at), not the flow's four-tuple.
  if (attribution_ != nullptr) {
    attribution_->ask_about_client(id, ip_of(client), client.port, ip_of(destination),
                                   destination.port, ip_of(accepted_at), accepted_at.port);
  }
}

void ProxyRecorder::received(uint64_t id, proxy::Sender from, ByteView data, Timestamp now) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  Connection& c = found->second;
  Direction& d = c.directions[index_of(from)];
  if (d.closed) return;
  flow::FlowInfo& info = d.info;
  if (info.packets == 0) info.first_ts = now;
  info.last_ts = now;
  ++info.packets;  // one read: the nearest thing to a packet a socket shows
  ++info.reassembly.segments;
  info.reassembly.payload_bytes += data.size();
  bool from_client = from == proxy::Sender::kClient;
  (from_client ? c.record.orig_packets : c.record.resp_packets) += 1;
  (from_client ? c.record.orig_bytes : c.record.resp_bytes) += data.size();
  c.record.end = now;
  if (!d.sink) {
    // Unrecorded directions still get their report entry, without a file.
    d.sink = records(from) ? handler_.open_stream(info) : handler_.open_unstored(info);
    if (!d.sink) d.sink = std::make_unique<output::DiscardSink>();
  }
  ByteView kept = data;
  if (options_.printable_only) {
    d.printable.filter(data, filtered_);
    kept = ByteView(filtered_.data(), filtered_.size());
  }
  // Capped per direction: thousands of long connections keep memory bounded.
  constexpr size_t kMaxReadTimes = 4096;
  if (info.write_times && info.write_times->entries() < kMaxReadTimes) {
    info.write_times->note(d.offset, kept.size(), now);
  }
  d.sink->write(d.offset, kept, now);
  d.offset += kept.size();
}

void ProxyRecorder::close_direction(Direction& d, flow::CloseReason reason) {
  if (d.closed) return;
  d.closed = true;
  d.info.close_reason = reason;
  if (!d.sink) return;  // it sent nothing: no file, as for a captured connection
  if (d.info.write_times) d.info.write_times->seal();
  handler_.close_stream(d.info, std::move(d.sink));
}

void ProxyRecorder::finished(uint64_t id, proxy::Sender from, Timestamp now) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  Connection& c = found->second;
  (from == proxy::Sender::kClient ? c.client_fin : c.server_fin) = true;
  Direction& d = c.directions[index_of(from)];
  d.info.last_ts = now;
  c.record.end = now;
  // Its stream is complete: the file can be finished (and scanned) now.
  close_direction(d, flow::CloseReason::kFin);
}

void ProxyRecorder::ended(uint64_t id, proxy::EndKind kind, proxy::Sender reset_by,
                          Timestamp now) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;
  Connection& c = found->second;
  flow::CloseReason reason = close_reason(kind);
  for (Direction& d : c.directions) {
    if (!d.closed && d.info.packets == 0) d.info.last_ts = now;
    close_direction(d, reason);
  }
  c.record.end = now;
  c.record.state = end_state(c.record, kind, reset_by, c.client_fin, c.server_fin);
  c.record.close_reason = reason;
  for (const Direction& d : c.directions) c.record.flow_files += d.info.packets > 0 ? 1 : 0;
  handler_.connection_closed(c.record);
  connections_.erase(found);
}

void ProxyRecorder::close_all(Timestamp now) {
  std::vector<uint64_t> ids;
  for (const auto& entry : connections_) ids.push_back(entry.first);
  for (uint64_t id : ids) ended(id, proxy::EndKind::kShutdown, proxy::Sender::kClient, now);
}

void ProxyRecorder::tick() {
  // The loop turns often under load; finished files and the report need no
  // more than a few looks a second.
  constexpr auto kPollInterval = std::chrono::milliseconds(200);
  auto now = std::chrono::steady_clock::now();
  if (now - last_poll_ < kPollInterval) return;
  last_poll_ = now;
  closed_.poll();
  if (report_) report_->flush();
}

}  // namespace tcpflow::app
