#include "app/closed_flows.h"

#include <cstdio>

namespace tcpflow::app {

namespace {

bool is_reverse(const flow::FlowInfo& a, const flow::FlowInfo& b) {
  return a.src == b.dst && a.dst == b.src && a.src_port == b.dst_port &&
         a.dst_port == b.src_port;
}

}  // namespace

ClosedFlows::ClosedFlows(output::FileWriter& writer, bool pair_directions, Consumer& consumer,
                         Stats& stats)
    : writer_(writer), pair_directions_(pair_directions), consumer_(consumer), stats_(stats) {}

void ClosedFlows::direction_closed(flow::FlowInfo& info, std::string path, uint64_t pending_job) {
  if (unwritten_.empty() && (pending_job == 0 || pending_job <= writer_.finished()) &&
      gate_open(info.connection_id)) {
    release(info, path, pending_job);
    return;
  }
  Event event;
  // A direction without a file of its own still waits for the jobs before it.
  event.ticket = pending_job ? pending_job : writer_.submitted();
  event.closes_file = pending_job != 0;
  event.flow = Closed{std::move(info), std::move(path)};
  unwritten_.push_back(std::move(event));
  release_written();
}

void ClosedFlows::connection_closed(uint64_t connection_id) {
  if (unwritten_.empty() && gate_open(connection_id)) {
    release_connection(connection_id);
    return;
  }
  Event event;
  event.ticket = writer_.submitted();
  event.connection_id = connection_id;
  unwritten_.push_back(std::move(event));
  release_written();
}

void ClosedFlows::connection_closed(const flow::ConnectionRecord& record) {
  if (unwritten_.empty() && gate_open(record.connection_id)) {
    release_connection(record.connection_id, &record);
    return;
  }
  Event event;
  event.ticket = writer_.submitted();
  event.connection_id = record.connection_id;
  event.record = record;
  unwritten_.push_back(std::move(event));
  release_written();
}

void ClosedFlows::poll() {
  writer_.flush();
  release_written();
}

void ClosedFlows::drain() {
  writer_.wait_for(writer_.submitted());
  release_written();
}

void ClosedFlows::finish() {
  drain();
  if (gate_) gate_->settle();
  release_written(true);
  while (!unpaired_.empty()) release_connection(unpaired_.begin()->first);
}

bool ClosedFlows::due(const Event& event, uint64_t finished, bool settled) const {
  if (event.ticket > finished) return false;
  if (settled) return true;
  return gate_open(event.flow ? event.flow->info.connection_id : event.connection_id);
}

void ClosedFlows::release_written(bool settled) {
  if (unwritten_.empty()) return;
  uint64_t finished = writer_.finished();
  while (!unwritten_.empty() && due(unwritten_.front(), finished, settled)) {
    Event event = unwritten_.take_front();
    if (event.flow) {
      release(event.flow->info, event.flow->path, event.closes_file ? event.ticket : 0);
    } else {
      release_connection(event.connection_id, event.record ? &*event.record : nullptr);
    }
  }
}

void ClosedFlows::release(flow::FlowInfo& info, std::string& path, uint64_t ticket) {
  if (ticket != 0) take_writer_outcome(info, path, ticket);
  consumer_.file_complete(info, path);
  if (!pair_directions_) {
    consumer_.record(info, path, nullptr, nullptr);
    return;
  }
  unpaired_[info.connection_id].push_back(Closed{std::move(info), std::move(path)});
}

void ClosedFlows::release_connection(uint64_t connection_id,
                                     const flow::ConnectionRecord* record) {
  auto it = unpaired_.find(connection_id);
  if (it != unpaired_.end()) {
    std::vector<Closed> directions = std::move(it->second);
    unpaired_.erase(it);
    for (Closed& closed : directions) {
      const Closed* peer = nullptr;
      for (const Closed& other : directions) {
        if (&other != &closed && !other.path.empty() && is_reverse(closed.info, other.info)) {
          peer = &other;
          break;
        }
      }
      consumer_.record(closed.info, closed.path, peer ? &peer->info : nullptr,
                       peer ? &peer->path : nullptr);
    }
  }
  consumer_.connection_complete(connection_id);
  if (record) consumer_.connection_recorded(*record);
}

void ClosedFlows::take_writer_outcome(flow::FlowInfo& info, const std::string& path,
                                   uint64_t ticket) {
  std::optional<output::WrittenDigest> digest = writer_.take_digest(ticket);
  // The writer saw every byte in order; the size check guards the rest.
  if (digest && digest->size == info.file_size) info.written_md5 = std::move(digest->md5);
  std::optional<std::string> error = writer_.take_error(ticket);
  if (!error) return;
  stats_.add(Counter::kWriteErrors);
  info.write_failed = true;
  info.write_error = *error;
  std::fprintf(stderr, "tcpflow: %s: %s\n", path.c_str(), error->c_str());
}

}  // namespace tcpflow::app
