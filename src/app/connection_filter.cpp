#include "app/connection_filter.h"

namespace tcpflow::app {

namespace {

attrib::RuleSubject subject(const decode::IpAddress& local, uint16_t local_port,
                            const decode::IpAddress& remote, uint16_t remote_port) {
  attrib::RuleSubject s;
  s.local = local;
  s.local_port = local_port;
  s.remote = remote;
  s.remote_port = remote_port;
  return s;
}

}  // namespace

bool ConnectionFilter::in_shard(const flow::ConnectionRecord& record) const {
  return !shard_.active() || flow::shard_hash(record.orig_ip, record.orig_port, record.resp_ip,
                                              record.resp_port, record.vlan) %
                                     shard_.count == shard_.index;
}

bool ConnectionFilter::rules_match(const flow::FlowInfo& info) const {
  const attrib::RuleSubject from_src = subject(info.src, info.src_port, info.dst, info.dst_port);
  const attrib::RuleSubject from_dst = subject(info.dst, info.dst_port, info.src, info.src_port);
  if (info.direction_known) {
    return rules_->matches(info.is_client ? from_src : from_dst, exe_checked_);
  }
  return rules_->matches(from_src, exe_checked_) || rules_->matches(from_dst, exe_checked_);
}

bool ConnectionFilter::rules_match(const flow::ConnectionRecord& record) const {
  return rules_->matches(
      subject(record.orig_ip, record.orig_port, record.resp_ip, record.resp_port), exe_checked_);
}

}  // namespace tcpflow::app
