#include "pcap_out.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bench {
namespace {

constexpr size_t kBufSize = 1u << 20;
constexpr size_t kEth = 14, kIp = 20, kUdp = 8;
constexpr size_t kTcpSyn = 40, kTcpData = 32;  // with options

inline void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// One's-complement sum over bytes in native order (RFC 1071: the folded
// result, stored natively, is the network-order checksum). `n` may be odd;
// callers sum regions that start at even offsets of the checksummed data.
uint64_t csum_add(uint64_t acc, const uint8_t* p, size_t n) {
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc += w;
    acc += (acc < w);
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    acc += w;
    acc += (acc < w);
  }
  return acc;
}

void store_csum(uint8_t* field, uint64_t acc) {
  uint32_t s = static_cast<uint32_t>(acc) + static_cast<uint32_t>(acc >> 32);
  if (s < static_cast<uint32_t>(acc)) ++s;
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  const uint16_t c = static_cast<uint16_t>(~s);
  std::memcpy(field, &c, 2);
}

void mac_for(uint8_t* mac, uint32_t ip) {
  mac[0] = 0x02;
  mac[1] = 0x00;
  put32(mac + 2, ip);
}

void build_eth(uint8_t* f, uint32_t src_ip, uint32_t dst_ip, uint16_t type) {
  mac_for(f, dst_ip);
  mac_for(f + 6, src_ip);
  put16(f + 12, type);
}

void build_ip(uint8_t* ip, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
              size_t total) {
  ip[0] = 0x45;
  ip[1] = 0;
  put16(ip + 2, static_cast<uint16_t>(total));
  put16(ip + 4, id);
  put16(ip + 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = proto;
  ip[10] = ip[11] = 0;
  put32(ip + 12, src);
  put32(ip + 16, dst);
  store_csum(ip + 10, csum_add(0, ip, kIp));
}

uint64_t pseudo_sum(const uint8_t* ip, uint8_t proto, size_t l4_len) {
  uint8_t ph[12];
  std::memcpy(ph, ip + 12, 8);
  ph[8] = 0;
  ph[9] = proto;
  put16(ph + 10, static_cast<uint16_t>(l4_len));
  return csum_add(0, ph, sizeof ph);
}

}  // namespace

PcapOut::PcapOut(const std::string& path) : buf_(kBufSize) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd_ < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
  struct {
    uint32_t magic;
    uint16_t major, minor;
    int32_t thiszone;
    uint32_t sigfigs, snaplen, linktype;
  } hdr = {0xa1b2c3d4u, 2, 4, 0, 0, 262144, 1};
  static_assert(sizeof hdr == 24, "pcap file header");
  std::memcpy(buf_.data(), &hdr, sizeof hdr);
  used_ = sizeof hdr;
}

PcapOut::~PcapOut() {
  if (fd_ >= 0) ::close(fd_);
}

uint8_t* PcapOut::record(uint64_t ts_ns, uint32_t len) {
  if (used_ + 16 + len > buf_.size()) flush();
  const uint32_t rec[4] = {static_cast<uint32_t>(ts_ns / 1000000000u),
                           static_cast<uint32_t>(ts_ns % 1000000000u / 1000u), len, len};
  uint8_t* p = buf_.data() + used_;
  std::memcpy(p, rec, 16);
  used_ += 16 + len;
  ++packets_;
  return p + 16;
}

void PcapOut::flush() {
  size_t off = 0;
  while (off < used_) {
    const ssize_t n = ::write(fd_, buf_.data() + off, used_ - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("write: ") + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
  bytes_ += used_;
  used_ = 0;
}

void PcapOut::close() {
  flush();
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw std::runtime_error(std::string("close: ") + std::strerror(errno));
  }
  fd_ = -1;
}

size_t tcp_payload_offset(bool syn) { return kEth + kIp + (syn ? kTcpSyn : kTcpData); }
size_t tcp_frame_len(bool syn, size_t payload) { return tcp_payload_offset(syn) + payload; }

void build_tcp(uint8_t* frame, const TcpHeaderFields& h, size_t payload) {
  const bool syn = (h.flags & tcpf::kSyn) != 0;
  const size_t thl = syn ? kTcpSyn : kTcpData;
  build_eth(frame, h.src_ip, h.dst_ip, 0x0800);
  uint8_t* ip = frame + kEth;
  build_ip(ip, h.src_ip, h.dst_ip, 6, h.ip_id, kIp + thl + payload);
  uint8_t* t = ip + kIp;
  put16(t, h.src_port);
  put16(t + 2, h.dst_port);
  put32(t + 4, h.seq);
  put32(t + 8, h.ack);
  t[12] = static_cast<uint8_t>((thl / 4) << 4);
  t[13] = h.flags;
  put16(t + 14, syn ? 64240 : 501);
  t[16] = t[17] = 0;  // checksum
  t[18] = t[19] = 0;  // urgent pointer
  uint8_t* o = t + 20;
  if (syn) {
    const uint8_t opts[8] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10};  // MSS 1460, SACK-OK, TS
    std::memcpy(o, opts, 8);
    put32(o + 8, h.tsval);
    put32(o + 12, h.tsecr);
    o[16] = 1;  // NOP
    o[17] = 3;  // window scale 7
    o[18] = 3;
    o[19] = 7;
  } else {
    o[0] = 1;
    o[1] = 1;
    o[2] = 8;
    o[3] = 10;
    put32(o + 4, h.tsval);
    put32(o + 8, h.tsecr);
  }
  const size_t l4 = thl + payload;
  store_csum(t + 16, csum_add(pseudo_sum(ip, 6, l4), t, l4));
}

size_t udp_payload_offset() { return kEth + kIp + kUdp; }
size_t udp_frame_len(size_t payload) { return udp_payload_offset() + payload; }

void build_udp(uint8_t* frame, uint32_t src_ip, uint32_t dst_ip, uint16_t sport,
               uint16_t dport, uint16_t ip_id, size_t payload) {
  build_eth(frame, src_ip, dst_ip, 0x0800);
  uint8_t* ip = frame + kEth;
  build_ip(ip, src_ip, dst_ip, 17, ip_id, kIp + kUdp + payload);
  uint8_t* u = ip + kIp;
  put16(u, sport);
  put16(u + 2, dport);
  put16(u + 4, static_cast<uint16_t>(kUdp + payload));
  u[6] = u[7] = 0;
  store_csum(u + 6, csum_add(pseudo_sum(ip, 17, kUdp + payload), u, kUdp + payload));
  if (u[6] == 0 && u[7] == 0) u[6] = u[7] = 0xff;  // 0 means "no checksum"
}

void build_arp(uint8_t* f, uint32_t sender_ip, uint32_t target_ip) {
  std::memset(f, 0xff, 6);
  mac_for(f + 6, sender_ip);
  put16(f + 12, 0x0806);
  uint8_t* a = f + kEth;
  put16(a, 1);
  put16(a + 2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  put16(a + 6, 1);  // request
  mac_for(a + 8, sender_ip);
  put32(a + 14, sender_ip);
  std::memset(a + 18, 0, 6);
  put32(a + 24, target_ip);
}

}  // namespace bench
