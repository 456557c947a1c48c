#include "app/closed_flow_queue.h"

namespace tcpflow::app {

namespace {

bool is_reverse(const flow::FlowInfo& a, const flow::FlowInfo& b) {
  return a.src == b.dst && a.dst == b.src && a.src_port == b.dst_port &&
         a.dst_port == b.src_port;
}

}  // namespace

void ClosedFlowQueue::add(const flow::FlowInfo& info, const std::string& path) {
  auto [it, inserted] = pending_.try_emplace(info.connection_id);
  if (inserted) arrival_.push_back(info.connection_id);
  it->second.push_back(Entry{info, path});
}

void ClosedFlowQueue::hand_over(std::vector<Entry>& entries) {
  for (Entry& entry : entries) {
    const Entry* peer = nullptr;
    for (const Entry& other : entries) {
      if (&other != &entry && !other.path.empty() && is_reverse(entry.info, other.info)) {
        peer = &other;
        break;
      }
    }
    handler_(entry.info, entry.path, peer ? &peer->info : nullptr,
             peer ? &peer->path : nullptr);
  }
}

void ClosedFlowQueue::connection_closed(uint64_t connection_id) {
  auto it = pending_.find(connection_id);
  if (it == pending_.end()) return;
  std::vector<Entry> entries = std::move(it->second);
  pending_.erase(it);
  hand_over(entries);
  // arrival_ only orders flush_all; drop ids already handed over now and then.
  if (arrival_.size() > 2 * pending_.size() + 64) {
    std::vector<uint64_t> still;
    for (uint64_t id : arrival_) {
      if (pending_.count(id)) still.push_back(id);
    }
    arrival_.swap(still);
  }
}

void ClosedFlowQueue::flush_all() {
  std::vector<uint64_t> order;
  order.swap(arrival_);
  for (uint64_t id : order) connection_closed(id);
}

}  // namespace tcpflow::app
