// Which connections a run records: those of its shard (--shard K/N) that
// match the tcpspy rules (--rule, --rules-file), after the BPF expression
// has chosen the packets. Every stage that records something for a
// connection (flow files, -K pcaps, report and index entries, the
// connection log, --snoop lines) asks the same filter, so they agree.
#pragma once
#include "attrib/rules.h"
#include "flow/connection_record.h"
#include "flow/flow_info.h"
#include "flow/process_info.h"
#include "flow/shard.h"

namespace tcpflow::app {

class ProcessAttribution;

class ConnectionFilter {
 public:
  ConnectionFilter() = default;
  // `rules` (may be null: no rules) and `attribution` (null without
  // --processes) must outlive the filter. With attribution, `exe` compares
  // executables; without, it is true (tcpspy's rule).
  ConnectionFilter(const flow::ShardSpec& shard, const attrib::RuleSet* rules,
                   ProcessAttribution* attribution)
      : shard_(shard), rules_(rules && rules->active() ? rules : nullptr),
        attribution_(attribution) {}

  const flow::ShardSpec& shard() const { return shard_; }
  bool in_shard(const flow::FlowInfo& info) const { return flow::shard_keeps(shard_, info); }
  bool in_shard(const flow::ConnectionRecord& record) const;

  // The "local" end is each end that is a socket on this host (with
  // --processes; a connection is kept when either matches), else the
  // client: the end that sent the SYN, or the first packet; a direction of
  // a connection picked up mid-stream, roles unknown, is kept when either
  // end, taken as local, matches.
  bool keeps(const flow::FlowInfo& info) const {
    return in_shard(info) && (rules_ == nullptr || rules_match(info));
  }
  bool keeps(const flow::ConnectionRecord& record) const {
    return in_shard(record) && (rules_ == nullptr || rules_match(record));
  }
  // One end, seen from itself, with its process when known (true without rules).
  bool end_matches(const decode::IpAddress& local, uint16_t local_port,
                   const decode::IpAddress& remote, uint16_t remote_port,
                   const flow::ProcessInfo* process) const;

 private:
  bool rules_match(const flow::FlowInfo& info) const;
  bool rules_match(const flow::ConnectionRecord& record) const;
  // Either end that is local matches; `handled` false when neither is local.
  bool local_ends_match(uint64_t id, const decode::IpAddress& a, uint16_t a_port,
                        const decode::IpAddress& b, uint16_t b_port, bool& handled) const;

  flow::ShardSpec shard_;
  const attrib::RuleSet* rules_ = nullptr;
  ProcessAttribution* attribution_ = nullptr;
};

}  // namespace tcpflow::app
