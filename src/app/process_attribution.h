// --processes on a live capture: which process owns each end of a
// connection that is a socket on this host. The packet thread asks once per
// connection, at its first packet (a client's socket exists from SYN_SENT;
// a server's is found through its listener until accepted), and once more
// at the other direction's first packet for an end not found; a lookup
// thread (attrib::Attributor) answers. As ClosedFlows' gate it holds a
// connection's records until its answers are in (at most kAnswerWait after
// the question), so the consumers that record it find them without waiting
// and the packet thread never waits for them. Only a decision taken on the
// packet thread (a --rule on a process when a flow's file opens, a --snoop
// line) waits, at most kAnswerWait, for its own answer.
// Forgets a connection once its connection record has been released.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "app/closed_flows.h"
#include "attrib/attributor.h"
#include "attrib/local_addresses.h"
#include "flow/flow_info.h"
#include "flow/process_info.h"
#include "util/stats.h"

namespace tcpflow::app {

class ProcessAttribution : public ClosedFlows::Consumer, public ClosedFlows::Gate {
 public:
  static constexpr std::chrono::milliseconds kAnswerWait{1000};

  // Opens socket diagnostics now (before privileges are dropped); throws
  // Error when they are unavailable. `lookup` replaces the system's (tests).
  // `stats` (may be null) counts the ends found and unknown.
  explicit ProcessAttribution(attrib::Attributor::Lookup lookup = {}, Stats* stats = nullptr);

  // Packet path: the direction's first packet (cheap when not).
  void observe(const flow::FlowInfo& direction) {
    if (direction.packets == 1) first_packet(direction);
  }
  // Asks now about a connection never observed: its first packet opened a
  // flow (data on a connection picked up mid-stream) inside the flow table,
  // before observe() saw it.
  void ask_if_new(const flow::FlowInfo& direction) {
    if (connections_.count(direction.connection_id) == 0) first_packet(direction);
  }

  // --proxy: connection `id` runs from the client (address, port) to the
  // destination, but the client's socket is connected to this proxy
  // (`proxied_at`): that is the socket looked up, when the client is local.
  // The destination's end is not looked up (it faces the proxy's own socket).
  void ask_about_client(uint64_t id, const decode::IpAddress& client, uint16_t client_port,
                        const decode::IpAddress& destination, uint16_t destination_port,
                        const decode::IpAddress& proxied_at, uint16_t proxied_at_port);

  // Whether this address is one of this host's.
  bool is_local(const decode::IpAddress& address) { return local_.contains(address); }
  // Whether this end of connection `id` is a socket of this host's that the
  // connection runs through: as is_local(), except that a proxied
  // connection's destination end is not (the proxy's own socket faces it).
  bool is_local_end(uint64_t id, const decode::IpAddress& address, uint16_t port);

  // The process owning the end (address, port) of connection `id`; null
  // when unknown (not local, not found, no visible process).
  const flow::ProcessInfo* find(uint64_t id, const decode::IpAddress& address, uint16_t port);

  // The process that made the connection `direction` belongs to, as far as
  // this host can tell: its client's end when that is local and known, else
  // the server's when that is; null when unknown. Both directions of a connection get the same.
  const flow::ProcessInfo* process_of_connection(const flow::FlowInfo& direction);

  // -U has just changed the user: the lookup thread trims the capabilities
  // it kept to the two it needs, now (see attrib/proc_access.h).
  void privileges_dropped() { attributor_->nudge(); }

  // Answers that came back, without waiting.
  void poll();

  // Gate: every end asked about has its answer, or has waited kAnswerWait.
  bool ready(uint64_t connection_id) override;
  void settle() override;

  uint64_t found() const { return found_; }
  uint64_t unknown() const { return unknown_; }

  void file_complete(const flow::FlowInfo&, const std::string&) override {}
  void record(flow::FlowInfo&, const std::string&, const flow::FlowInfo*,
              const std::string*) override {}
  void connection_complete(uint64_t) override {}
  // Last consumer of a connection: it is forgotten.
  void connection_recorded(const flow::ConnectionRecord& record) override;

 private:
  struct End {
    decode::IpAddress address;
    uint16_t port = 0;
    bool local = false;
    bool pending = false;
    bool retried = false;
    std::chrono::steady_clock::time_point asked{};
    std::optional<flow::ProcessInfo> process;
  };
  struct Ends {
    End end[2];
  };

  void first_packet(const flow::FlowInfo& direction);
  // An end still waiting for its answer, and not for too long.
  static bool waiting(const End& end, std::chrono::steady_clock::time_point now) {
    return end.pending && now - end.asked < kAnswerWait;
  }
  // `remote`/`remote_port`: the socket's peer, when it is not the other end.
  void ask(uint64_t id, Ends& ends, int which, const decode::IpAddress* remote = nullptr,
           uint16_t remote_port = 0);

  std::unique_ptr<attrib::Attributor> attributor_;
  attrib::LocalAddresses local_;
  std::unordered_map<uint64_t, Ends> connections_;
  std::vector<attrib::Attribution> answers_;  // reused: no allocation per poll
  Stats* stats_ = nullptr;
  uint64_t found_ = 0;
  uint64_t unknown_ = 0;
  uint64_t dropped_counted_ = 0;
  bool warned_hidden_ = false;
};

}  // namespace tcpflow::app
