#include "app/closed_flow_queue.h"

namespace tcpflow::app {

namespace {

bool is_reverse(const flow::FlowInfo& a, const flow::FlowInfo& b) {
  return a.src == b.dst && a.dst == b.src && a.src_port == b.dst_port &&
         a.dst_port == b.src_port;
}

}  // namespace

void ClosedFlowQueue::add(const flow::FlowInfo& info, const std::string& path) {
  pending_[info.connection_id].push_back(Entry{info, path});
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
}

void ClosedFlowQueue::flush_all() {
  while (!pending_.empty()) connection_closed(pending_.begin()->first);
}

}  // namespace tcpflow::app
