// Hands every release of the closed-flow stage to two consumers in turn
// (the report, then the connection log), so a new consumer needs no change
// to the ones already there.
#pragma once
#include "app/closed_flows.h"

namespace tcpflow::app {

class ConsumerTee : public ClosedFlows::Consumer {
 public:
  ConsumerTee(ClosedFlows::Consumer& first, ClosedFlows::Consumer& second)
      : first_(first), second_(second) {}

  void file_complete(const flow::FlowInfo& info, const std::string& path) override {
    first_.file_complete(info, path);
    second_.file_complete(info, path);
  }
  void record(flow::FlowInfo& info, const std::string& path, const flow::FlowInfo* peer,
              const std::string* peer_path) override {
    first_.record(info, path, peer, peer_path);
    second_.record(info, path, peer, peer_path);
  }
  void connection_complete(uint64_t connection_id) override {
    first_.connection_complete(connection_id);
    second_.connection_complete(connection_id);
  }
  void connection_recorded(const flow::ConnectionRecord& record) override {
    first_.connection_recorded(record);
    second_.connection_recorded(record);
  }

 private:
  ClosedFlows::Consumer& first_;
  ClosedFlows::Consumer& second_;
};

}  // namespace tcpflow::app
