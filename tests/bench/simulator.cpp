#include "simulator.h"

#include <algorithm>

namespace bench {
namespace {
constexpr uint64_t kStartNs = 1700000000ull * 1000000000ull;
}

Simulator::Simulator(const Plan& plan, PcapOut& out)
    : plan_(plan), out_(out), rng_(plan.seed ^ 0xfeedULL), now_ns_(kStartNs) {
  stats_.first_ts_ns = kStartNs;
}

uint64_t Simulator::tick(size_t frame_len) {
  // A 10 Gbit/s link: 0.8 ns per byte, plus preamble and inter-frame gap.
  now_ns_ += (frame_len + 24) * 8 / 10;
  stats_.last_ts_ns = now_ns_;
  return now_ns_;
}

Simulator::Flow Simulator::start_flow(uint32_t spec) {
  Flow f{};
  f.spec = spec;
  f.phase = Phase::kSyn;
  for (int d = 0; d < 2; ++d) {
    const uint64_t s = direction_isn_word(plan_.seed, spec, d);
    f.isn[d] = static_cast<uint32_t>(s);
    f.ip_id[d] = static_cast<uint16_t>(s >> 32);
    if (direction_wraps(plan_.flows[spec], plan_.seed, spec, d)) ++stats_.seq_wraps;
  }
  return f;
}

void Simulator::run() {
  const uint64_t n = plan_.flows.size();
  std::vector<Flow> active;
  active.reserve(plan_.def.concurrency);
  uint64_t next = 0;
  while (active.size() < plan_.def.concurrency && next < n) {
    active.push_back(start_flow(static_cast<uint32_t>(next++)));
  }
  while (!active.empty()) {
    const size_t i = rng_.below(active.size());
    step(active[i]);
    if (active[i].phase != Phase::kDone) continue;
    if (next < n) {
      active[i] = start_flow(static_cast<uint32_t>(next++));
    } else {
      active[i] = std::move(active.back());
      active.pop_back();
    }
  }
}

void Simulator::step(Flow& f) {
  switch (f.phase) {
    case Phase::kSyn:
      send_tcp(f, 0, tcpf::kSyn, f.isn[0], 0, 0, 0);
      f.phase = Phase::kSynAck;
      break;
    case Phase::kSynAck:
      send_tcp(f, 1, tcpf::kSyn | tcpf::kAck, f.isn[1], f.isn[0] + 1, 0, 0);
      f.phase = Phase::kHandshakeAck;
      break;
    case Phase::kHandshakeAck:
      send_control(f, 0, tcpf::kAck, 0, 0);
      f.phase = Phase::kData;
      f.dir = 0;
      f.exchange = 0;
      f.msg_end = message_size(plan_.flows[f.spec], 0, 0);
      break;
    case Phase::kData:
      data_burst(f);
      break;
    case Phase::kFinClient:
      flush_retx(f, -1);
      send_control(f, 0, tcpf::kFin | tcpf::kAck, 0, 0);
      f.phase = Phase::kFinServer;
      break;
    case Phase::kFinServer:
      send_control(f, 1, tcpf::kFin | tcpf::kAck, 0, 1);
      f.phase = Phase::kLastAck;
      break;
    case Phase::kLastAck:
      send_control(f, 0, tcpf::kAck, 1, 1);
      f.phase = Phase::kDone;
      break;
    case Phase::kDone:
      break;
  }
}

void Simulator::data_burst(Flow& f) {
  const int d = f.dir;
  flush_retx(f, d);
  const unsigned burst = 1 + static_cast<unsigned>(rng_.below(4));
  for (unsigned k = 0; k < burst && f.sent[d] < f.msg_end; ++k) {
    const uint64_t off = f.sent[d];
    const uint32_t len = static_cast<uint32_t>(std::min<uint64_t>(kMss, f.msg_end - off));
    const uint64_t next = off + len;
    if (next < f.msg_end && rng_.chance(plan_.def.p_reorder)) {
      const uint32_t len2 = static_cast<uint32_t>(std::min<uint64_t>(kMss, f.msg_end - next));
      send_data(f, d, next, len2);
      send_data(f, d, off, len);
      f.sent[d] = next + len2;
      ++stats_.reordered_pairs;
      ++k;
    } else {
      send_data(f, d, off, len);
      f.sent[d] = next;
    }
    if (rng_.chance(plan_.def.p_retx)) f.retx.push_back({off, len, static_cast<uint8_t>(d)});
  }
  if (f.sent[d] < f.msg_end) {
    send_control(f, 1 - d, tcpf::kAck, 0, 0);
    return;
  }
  const FlowSpec& spec = plan_.flows[f.spec];
  if (d == 0) {
    f.dir = 1;
    f.msg_end = f.sent[1] + message_size(spec, 1, f.exchange);
  } else if (++f.exchange < spec.exchanges) {
    f.dir = 0;
    f.msg_end = f.sent[0] + message_size(spec, 0, f.exchange);
  } else {
    f.phase = Phase::kFinClient;
  }
}

void Simulator::flush_retx(Flow& f, int dir) {
  if (f.retx.empty()) return;
  size_t keep = 0;
  for (size_t i = 0; i < f.retx.size(); ++i) {
    const Seg s = f.retx[i];
    if (dir < 0 || s.dir == dir) {
      send_data(f, s.dir, s.off, s.len);
      ++stats_.retransmissions;
    } else {
      f.retx[keep++] = s;
    }
  }
  f.retx.resize(keep);
}

void Simulator::send_data(Flow& f, int dir, uint64_t off, uint32_t len) {
  const int o = 1 - dir;
  uint8_t flags = tcpf::kAck;
  if (off + len == f.msg_end && dir == f.dir) flags |= tcpf::kPsh;
  send_tcp(f, dir, flags, f.isn[dir] + 1 + static_cast<uint32_t>(off),
           f.isn[o] + 1 + static_cast<uint32_t>(f.sent[o]), off, len);
  ++stats_.data_segments;
  stats_.wire_payload += len;
}

// A payload-less segment at the direction's current sequence number.
void Simulator::send_control(Flow& f, int dir, uint8_t flags, uint32_t extra_seq,
                             uint32_t extra_ack) {
  const int o = 1 - dir;
  send_tcp(f, dir, flags, f.isn[dir] + 1 + static_cast<uint32_t>(f.sent[dir]) + extra_seq,
           f.isn[o] + 1 + static_cast<uint32_t>(f.sent[o]) + extra_ack, 0, 0);
}

void Simulator::send_tcp(Flow& f, int dir, uint8_t flags, uint32_t seq, uint32_t ack,
                         uint64_t payload_off, uint32_t len) {
  const FlowSpec& spec = plan_.flows[f.spec];
  const bool syn = (flags & tcpf::kSyn) != 0;
  const size_t flen = tcp_frame_len(syn, len);
  const uint64_t ts = tick(flen);
  uint8_t* frame = out_.record(ts, static_cast<uint32_t>(flen));
  if (len > 0) {
    fill_payload(direction_seed(plan_.seed, f.spec, dir), payload_off, len,
                 frame + tcp_payload_offset(syn));
  }
  const uint32_t ms = static_cast<uint32_t>(ts / 1000000u);
  TcpHeaderFields h{};
  h.src_ip = dir == 0 ? spec.client_ip : spec.server_ip;
  h.dst_ip = dir == 0 ? spec.server_ip : spec.client_ip;
  h.src_port = dir == 0 ? spec.client_port : spec.server_port;
  h.dst_port = dir == 0 ? spec.server_port : spec.client_port;
  h.seq = seq;
  h.ack = (flags & tcpf::kAck) ? ack : 0;
  h.flags = flags;
  h.ip_id = f.ip_id[dir]++;
  h.tsval = ms + f.isn[dir];
  h.tsecr = (flags == tcpf::kSyn) ? 0 : ms - 1 + f.isn[1 - dir];
  build_tcp(frame, h, len);
  ++stats_.tcp_packets;
  maybe_other();
}

void Simulator::maybe_other() {
  if (!rng_.chance(plan_.def.p_other)) return;
  ++stats_.other_packets;
  const uint32_t host = (10u << 24) | (2u << 16) | static_cast<uint32_t>(rng_.range(1, 4000));
  if (rng_.chance(0.3)) {
    const uint32_t target = (10u << 24) | (2u << 16) | static_cast<uint32_t>(rng_.range(1, 4000));
    build_arp(out_.record(tick(kArpFrameLen), kArpFrameLen), host, target);
    return;
  }
  const uint32_t dns = (10u << 24) | 53u;  // 10.0.0.53
  const bool query = rng_.chance(0.5);
  const size_t len = rng_.range(30, 200);
  const size_t flen = udp_frame_len(len);
  uint8_t* frame = out_.record(tick(flen), static_cast<uint32_t>(flen));
  fill_payload(rng_.next(), 0, len, frame + udp_payload_offset());
  const uint16_t port = static_cast<uint16_t>(rng_.range(1024, 65535));
  const uint16_t id = static_cast<uint16_t>(rng_.next());
  if (query) {
    build_udp(frame, host, dns, port, 53, id, len);
  } else {
    build_udp(frame, dns, host, 53, port, id, len);
  }
}

}  // namespace bench
