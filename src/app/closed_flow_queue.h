// Holds closed flow directions until their connection leaves the flow table,
// then hands each one over together with the other direction. Scanners need
// both: the http scanner reads the requests to parse the responses.
//
// The flow table closes both directions of a connection and then reports the
// connection closed in one step, so a direction waits here only briefly (a
// direction restarted by a sequence jump waits until its connection ends).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <map>
#include <vector>

#include "flow/flow_info.h"

namespace tcpflow::app {

class ClosedFlowQueue {
 public:
  // `peer` and `peer_path` are the other direction of the same connection,
  // or null when it stored no bytes.
  using Handler = std::function<void(flow::FlowInfo& info, const std::string& path,
                                     const flow::FlowInfo* peer, const std::string* peer_path)>;

  explicit ClosedFlowQueue(Handler handler) : handler_(std::move(handler)) {}

  void add(const flow::FlowInfo& info, const std::string& path);
  // Hands over every direction of the connection, in the order they closed.
  void connection_closed(uint64_t connection_id);
  // Hands over everything still held (end of run), oldest connection first.
  void flush_all();
  size_t held() const { return pending_.size(); }

 private:
  struct Entry {
    flow::FlowInfo info;
    std::string path;
  };
  void hand_over(std::vector<Entry>& entries);

  Handler handler_;
  // Ordered by connection id (creation order), so flush_all is deterministic.
  std::map<uint64_t, std::vector<Entry>> pending_;
};

}  // namespace tcpflow::app
