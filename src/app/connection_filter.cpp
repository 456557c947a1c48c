#include "app/connection_filter.h"

#include "app/process_attribution.h"

namespace tcpflow::app {

bool ConnectionFilter::in_shard(const flow::ConnectionRecord& record) const {
  return !shard_.active() || flow::shard_hash(record.orig_ip, record.orig_port, record.resp_ip,
                                              record.resp_port, record.vlan) %
                                     shard_.count == shard_.index;
}

bool ConnectionFilter::end_matches(const decode::IpAddress& local, uint16_t local_port,
                                   const decode::IpAddress& remote, uint16_t remote_port,
                                   const flow::ProcessInfo* process) const {
  if (rules_ == nullptr) return true;
  attrib::RuleSubject s;
  s.local = local;
  s.local_port = local_port;
  s.remote = remote;
  s.remote_port = remote_port;
  if (process) {
    s.uid = process->uid;
    if (!process->exe.empty()) s.exe = process->exe;
  }
  return rules_->matches(s, attribution_ != nullptr);
}

bool ConnectionFilter::local_ends_match(uint64_t id, const decode::IpAddress& a, uint16_t a_port,
                                        const decode::IpAddress& b, uint16_t b_port,
                                        bool& handled) const {
  handled = false;
  if (attribution_ == nullptr) return false;
  bool any = false;
  if (attribution_->is_local_end(id, a, a_port)) {
    handled = true;
    any = end_matches(a, a_port, b, b_port, attribution_->find(id, a, a_port));
  }
  if (!any && attribution_->is_local_end(id, b, b_port)) {
    handled = true;
    any = end_matches(b, b_port, a, a_port, attribution_->find(id, b, b_port));
  }
  return any;
}

bool ConnectionFilter::rules_match(const flow::FlowInfo& info) const {
  if (attribution_ != nullptr) attribution_->ask_if_new(info);
  bool handled = false;
  bool local = local_ends_match(info.connection_id, info.src, info.src_port, info.dst,
                                info.dst_port, handled);
  if (handled) return local;
  bool from_src = end_matches(info.src, info.src_port, info.dst, info.dst_port, nullptr);
  bool from_dst = end_matches(info.dst, info.dst_port, info.src, info.src_port, nullptr);
  if (info.direction_known) return info.is_client ? from_src : from_dst;
  return from_src || from_dst;
}

bool ConnectionFilter::rules_match(const flow::ConnectionRecord& record) const {
  bool handled = false;
  bool local = local_ends_match(record.connection_id, record.orig_ip, record.orig_port,
                                record.resp_ip, record.resp_port, handled);
  if (handled) return local;
  return end_matches(record.orig_ip, record.orig_port, record.resp_ip, record.resp_port, nullptr);
}

}  // namespace tcpflow::app
