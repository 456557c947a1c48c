// Turns the proxy's connections into flows: each connection is a client ->
// destination direction and a destination -> client direction, named and
// recorded through the FlowRecorder exactly as a captured connection's,
// so flow files, report.xml, flows.jsonl and scanners work unchanged.
// No packets are made up: the bytes read are the stream.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "app/closed_flows.h"
#include "flow/connection_record.h"
#include "app/flow_recorder.h"
#include "flow/flow_info.h"
#include "proxy/printable_filter.h"
#include "proxy/proxy_observer.h"
#include "proxy/proxy_options.h"
#include "reassembly/stream_sink.h"

namespace tcpflow::report {
class DfxmlWriter;
}

namespace tcpflow::app {

class ProcessAttribution;

class ProxyRecorder : public proxy::ProxyObserver {
 public:
  ProxyRecorder(const proxy::ProxyOptions& options, FlowRecorder& handler,
                ClosedFlows& closed, report::DfxmlWriter* report);
  ~ProxyRecorder() override;

  void opened(uint64_t id, const proxy::Endpoint& client, const proxy::Endpoint& accepted_at,
              const proxy::Endpoint& destination, Timestamp now) override;
  void received(uint64_t id, proxy::Sender from, ByteView data, Timestamp now) override;
  void finished(uint64_t id, proxy::Sender from, Timestamp now) override;
  void ended(uint64_t id, proxy::EndKind kind, proxy::Sender reset_by, Timestamp now) override;
  void tick() override;
  void hangup() override {
    if (on_hangup_) on_hangup_();
  }
  // --processes: the client's end, when it is a socket on this host, is
  // attributed. `attribution` must outlive this.
  void attribute_with(ProcessAttribution* attribution) { attribution_ = attribution; }
  // What SIGHUP does (the pipeline's: complete files, reopen the log).
  void on_hangup(std::function<void()> action) { on_hangup_ = std::move(action); }

  // Closes whatever is still open (the run is ending).
  void close_all(Timestamp now);

 private:
  std::function<void()> on_hangup_;
  ProcessAttribution* attribution_ = nullptr;
  struct Direction {
    flow::FlowInfo info;
    std::unique_ptr<reassembly::StreamSink> sink;
    uint64_t offset = 0;  // bytes recorded so far
    bool closed = false;
    proxy::PrintableFilter printable;
  };
  struct Connection {
    Direction directions[2];  // by Sender: client's bytes, destination's bytes
    flow::ConnectionRecord record;
    bool client_fin = false;
    bool server_fin = false;
  };

  bool records(proxy::Sender from) const;
  void close_direction(Direction& direction, flow::CloseReason reason);

  const proxy::ProxyOptions& options_;
  FlowRecorder& handler_;
  ClosedFlows& closed_;
  report::DfxmlWriter* report_;
  std::unordered_map<uint64_t, Connection> connections_;
  std::vector<uint8_t> filtered_;
  std::chrono::steady_clock::time_point last_poll_{};
};

}  // namespace tcpflow::app
