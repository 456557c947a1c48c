// Hands every release of the closed-flow stage to several consumers in
// turn (the report, the connection log, then the process attribution's
// bookkeeping), so a new consumer needs no change to the ones already there.
#pragma once
#include <vector>

#include "app/closed_flows.h"

namespace tcpflow::app {

class ConsumerTee : public ClosedFlows::Consumer {
 public:
  // The consumers, in the order they are told; each must outlive the tee.
  explicit ConsumerTee(std::vector<ClosedFlows::Consumer*> consumers)
      : consumers_(std::move(consumers)) {}

  void file_complete(const flow::FlowInfo& info, const std::string& path) override {
    for (ClosedFlows::Consumer* c : consumers_) c->file_complete(info, path);
  }
  void record(flow::FlowInfo& info, const std::string& path, const flow::FlowInfo* peer,
              const std::string* peer_path) override {
    for (ClosedFlows::Consumer* c : consumers_) c->record(info, path, peer, peer_path);
  }
  void connection_complete(uint64_t connection_id) override {
    for (ClosedFlows::Consumer* c : consumers_) c->connection_complete(connection_id);
  }
  void connection_recorded(const flow::ConnectionRecord& record) override {
    for (ClosedFlows::Consumer* c : consumers_) c->connection_recorded(record);
  }

 private:
  std::vector<ClosedFlows::Consumer*> consumers_;
};

}  // namespace tcpflow::app
