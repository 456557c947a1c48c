// Which connections a run records: those of its shard (--shard K/N) that
// match the tcpspy rules (--rule, --rules-file), after the BPF expression
// has chosen the packets. Every stage that records something for a
// connection (flow files, -K pcaps, report and index entries, the
// connection log) asks the same filter, so they agree.
#pragma once
#include "attrib/rules.h"
#include "flow/connection_record.h"
#include "flow/flow_info.h"
#include "flow/shard.h"

namespace tcpflow::app {

class ConnectionFilter {
 public:
  ConnectionFilter() = default;
  // `rules` (may be null: no rules) must outlive the filter. `exe_checked`:
  // executables are known (--processes); without, `exe` comparisons are true.
  ConnectionFilter(const flow::ShardSpec& shard, const attrib::RuleSet* rules, bool exe_checked)
      : shard_(shard), rules_(rules && rules->active() ? rules : nullptr),
        exe_checked_(exe_checked) {}

  const flow::ShardSpec& shard() const { return shard_; }
  bool in_shard(const flow::FlowInfo& info) const { return flow::shard_keeps(shard_, info); }
  bool in_shard(const flow::ConnectionRecord& record) const;

  // Without --processes the "local" end of a connection is its client (the
  // end that sent the SYN, else the one that sent the first packet); a
  // direction whose connection was picked up mid-stream without either is
  // kept when either end, taken as local, matches.
  bool keeps(const flow::FlowInfo& info) const {
    return in_shard(info) && (rules_ == nullptr || rules_match(info));
  }
  bool keeps(const flow::ConnectionRecord& record) const {
    return in_shard(record) && (rules_ == nullptr || rules_match(record));
  }

 private:
  bool rules_match(const flow::FlowInfo& info) const;
  bool rules_match(const flow::ConnectionRecord& record) const;

  flow::ShardSpec shard_;
  const attrib::RuleSet* rules_ = nullptr;
  bool exe_checked_ = false;
};

}  // namespace tcpflow::app
