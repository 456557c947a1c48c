#include "app/process_attribution.h"

#include <unistd.h>

#include <cstdio>

#include "attrib/proc_access.h"

namespace tcpflow::app {

ProcessAttribution::ProcessAttribution(attrib::Attributor::Lookup lookup, Stats* stats)
    : stats_(stats) {
  if (lookup) {
    attributor_ = std::make_unique<attrib::Attributor>(std::move(lookup));
  } else {
    attributor_ = std::make_unique<attrib::Attributor>(
        attrib::Attributor::system_lookup(), attrib::keep_proc_access_across_setuid,
        [] { attrib::regain_proc_access(); });
  }
}

void ProcessAttribution::first_packet(const flow::FlowInfo& direction) {
  auto [it, created] = connections_.try_emplace(direction.connection_id);
  Ends& ends = it->second;
  if (created) {
    ends.end[0].address = direction.src;
    ends.end[0].port = direction.src_port;
    ends.end[1].address = direction.dst;
    ends.end[1].port = direction.dst_port;
    for (int which = 0; which < 2; ++which) {
      End& end = ends.end[which];
      end.local = local_.contains(end.address);
      if (end.local) ask(direction.connection_id, ends, which);
    }
    return;
  }
  // The other direction's first packet: one more try for an end not found
  // (a server's socket may have had no inode while the handshake was on).
  for (int which = 0; which < 2; ++which) {
    End& end = ends.end[which];
    if (end.local && !end.pending && !end.process && !end.retried) {
      end.retried = true;
      ask(direction.connection_id, ends, which);
    }
  }
}

void ProcessAttribution::ask_about_client(uint64_t id, const decode::IpAddress& client,
                                          uint16_t client_port,
                                          const decode::IpAddress& destination,
                                          uint16_t destination_port,
                                          const decode::IpAddress& proxied_at,
                                          uint16_t proxied_at_port) {
  Ends& ends = connections_[id];
  ends.end[0].address = client;
  ends.end[0].port = client_port;
  ends.end[0].local = local_.contains(client);
  ends.end[0].retried = true;  // no second packet will ask again
  ends.end[1].address = destination;
  ends.end[1].port = destination_port;
  ends.end[1].local = false;
  if (ends.end[0].local) ask(id, ends, 0, &proxied_at, proxied_at_port);
}

void ProcessAttribution::ask(uint64_t id, Ends& ends, int which,
                             const decode::IpAddress* remote, uint16_t remote_port) {
  attrib::SocketTuple tuple;
  tuple.local = ends.end[which].address;
  tuple.local_port = ends.end[which].port;
  tuple.remote = remote ? *remote : ends.end[1 - which].address;
  tuple.remote_port = remote ? remote_port : ends.end[1 - which].port;
  // A full queue drops the request: the end stays unknown, never waited for.
  ends.end[which].pending = attributor_->request(id * 2 + static_cast<uint64_t>(which), tuple);
  ends.end[which].asked = std::chrono::steady_clock::now();
}

void ProcessAttribution::poll() {
  attributor_->take(answers_);
  for (attrib::Attribution& answer : answers_) {
    auto it = connections_.find(answer.key / 2);
    if (it == connections_.end()) continue;  // recorded already
    End& end = it->second.end[answer.key % 2];
    end.pending = false;
    if (answer.process) end.process = std::move(answer.process);
    if (answer.hidden && answer.socket_uid != ::geteuid() && !warned_hidden_) {
      warned_hidden_ = true;
      std::fprintf(stderr,
                   "tcpflow: --processes: a socket of uid %u belongs to a process this user "
                   "cannot see; such ends are recorded as unknown (run as root, or with "
                   "CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH)\n",
                   answer.socket_uid);
    }
  }
  answers_.clear();
  if (stats_ != nullptr) {
    uint64_t dropped = attributor_->dropped();
    stats_->add(Counter::kProcessLookupsDropped, dropped - dropped_counted_);
    dropped_counted_ = dropped;
  }
}

const flow::ProcessInfo* ProcessAttribution::find(uint64_t id, const decode::IpAddress& address,
                                                  uint16_t port) {
  poll();
  auto it = connections_.find(id);
  if (it == connections_.end()) return nullptr;
  for (int which = 0; which < 2; ++which) {
    End& end = it->second.end[which];
    if (!(end.address == address) || end.port != port || !end.local) continue;
    auto now = std::chrono::steady_clock::now();
    if (waiting(end, now)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(kAnswerWait -
                                                                         (now - end.asked));
      attributor_->wait_for(id * 2 + static_cast<uint64_t>(which), left);
      poll();
    }
    return end.process ? &*end.process : nullptr;
  }
  return nullptr;
}

const flow::ProcessInfo* ProcessAttribution::process_of_connection(
    const flow::FlowInfo& direction) {
  ask_if_new(direction);
  // The client's end first (the one that made the connection).
  const bool src_is_client = direction.is_client || !direction.direction_known;
  const decode::IpAddress& client = src_is_client ? direction.src : direction.dst;
  const decode::IpAddress& server = src_is_client ? direction.dst : direction.src;
  const uint16_t client_port = src_is_client ? direction.src_port : direction.dst_port;
  const uint16_t server_port = src_is_client ? direction.dst_port : direction.src_port;
  const flow::ProcessInfo* found = nullptr;
  if (is_local(client)) found = find(direction.connection_id, client, client_port);
  // A client gone before its lookup (curl on loopback): the server still names it.
  if (found == nullptr && is_local(server)) {
    found = find(direction.connection_id, server, server_port);
  }
  return found;
}

bool ProcessAttribution::is_local_end(uint64_t id, const decode::IpAddress& address,
                                      uint16_t port) {
  auto it = connections_.find(id);
  if (it != connections_.end()) {
    for (const End& end : it->second.end) {
      if (end.address == address && end.port == port) return end.local;
    }
  }
  return is_local(address);
}

bool ProcessAttribution::ready(uint64_t connection_id) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return true;
  auto now = std::chrono::steady_clock::now();
  auto any_waiting = [&] {
    return waiting(it->second.end[0], now) || waiting(it->second.end[1], now);
  };
  if (!any_waiting()) return true;
  poll();
  return !any_waiting();
}

void ProcessAttribution::settle() {
  attributor_->wait_idle(kAnswerWait);
  poll();
}

void ProcessAttribution::connection_recorded(const flow::ConnectionRecord& record) {
  auto it = connections_.find(record.connection_id);
  if (it == connections_.end()) return;
  for (const End& end : it->second.end) {
    if (!end.local) continue;
    if (end.process) {
      ++found_;
      if (stats_ != nullptr) stats_->add(Counter::kProcessEndsFound);
    } else {
      ++unknown_;
      if (stats_ != nullptr) stats_->add(Counter::kProcessEndsUnknown);
    }
  }
  connections_.erase(it);
}

}  // namespace tcpflow::app
