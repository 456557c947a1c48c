// Hand-built packets for the decode tests. The checksum code here is written
// separately from src/decode so the two check each other.
#pragma once
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "decode/packet.h"
#include "util/byte_view.h"

namespace tcpflow::decode::test {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void put32(Bytes& b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}
inline void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }
inline Bytes cat(Bytes a, const Bytes& b) {
  append(a, b);
  return a;
}
inline ByteView view(const Bytes& b) { return ByteView(b.data(), b.size()); }
inline Bytes bytes_of(ByteView v) { return Bytes(v.begin(), v.end()); }
inline void set16(Bytes& b, size_t at, uint16_t v) {
  b[at] = uint8_t(v >> 8);
  b[at + 1] = uint8_t(v);
}

// Plain RFC 1071 sum, byte pairs, odd byte padded.
inline uint16_t ones_complement(const Bytes& b) {
  uint32_t sum = 0;
  for (size_t i = 0; i < b.size(); i += 2)
    sum += uint32_t(b[i]) << 8 | (i + 1 < b.size() ? b[i + 1] : 0);
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
  return uint16_t(~sum & 0xFFFF);
}

inline Bytes pattern(size_t n, uint8_t seed = 0) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 7 + seed);
  return b;
}

inline IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress x;
  x.family = 4;
  x.bytes[0] = a, x.bytes[1] = b, x.bytes[2] = c, x.bytes[3] = d;
  return x;
}
// 2001:db8::<last>
inline IpAddress v6(uint16_t last) {
  IpAddress x;
  x.family = 6;
  x.bytes[0] = 0x20, x.bytes[1] = 0x01, x.bytes[2] = 0x0d, x.bytes[3] = 0xb8;
  x.bytes[14] = uint8_t(last >> 8), x.bytes[15] = uint8_t(last);
  return x;
}
inline Bytes addr_bytes(const IpAddress& a) {
  return Bytes(a.bytes.begin(), a.bytes.begin() + (a.family == 6 ? 16 : 4));
}

struct Tcp {
  uint16_t sport = 40000;
  uint16_t dport = 80;
  uint32_t seq = 0x01020304;
  uint32_t ack = 0xA0B0C0D0;
  uint8_t flags = kAck | kPsh;
  uint16_t window = 29200;
  Bytes options;  // a multiple of 4 bytes
  Bytes payload;
  bool corrupt_checksum = false;
};

// A TCP segment whose checksum covers the pseudo-header for src -> dst.
inline Bytes tcp_segment(const Tcp& t, const IpAddress& src, const IpAddress& dst) {
  Bytes s;
  put16(s, t.sport);
  put16(s, t.dport);
  put32(s, t.seq);
  put32(s, t.ack);
  s.push_back(uint8_t(((20 + t.options.size()) / 4) << 4));
  s.push_back(t.flags);
  put16(s, t.window);
  put16(s, 0);  // checksum
  put16(s, 0);  // urgent
  append(s, t.options);
  append(s, t.payload);
  Bytes pseudo = cat(addr_bytes(src), addr_bytes(dst));
  if (src.family == 6) {
    put32(pseudo, uint32_t(s.size()));
    put32(pseudo, 6);
  } else {
    put16(pseudo, 6);
    put16(pseudo, uint16_t(s.size()));
  }
  uint16_t sum = ones_complement(cat(pseudo, s));
  if (t.corrupt_checksum) sum ^= 0x5555;
  set16(s, 16, sum);
  return s;
}

struct V4 {
  IpAddress src = v4(192, 168, 1, 10);
  IpAddress dst = v4(10, 1, 2, 3);
  uint8_t protocol = 6;
  uint16_t id = 0x4242;
  bool df = false;
  bool mf = false;
  uint32_t frag_offset = 0;  // bytes, a multiple of 8
  Bytes options;             // a multiple of 4 bytes
  std::optional<uint16_t> total_length;  // overrides the computed one
  bool corrupt_checksum = false;
};

inline Bytes ipv4_packet(const V4& ip, const Bytes& payload) {
  Bytes h;
  const size_t hlen = 20 + ip.options.size();
  h.push_back(uint8_t(0x40 | (hlen / 4)));
  h.push_back(0);
  put16(h, ip.total_length ? *ip.total_length : uint16_t(hlen + payload.size()));
  put16(h, ip.id);
  put16(h, uint16_t((ip.df ? 0x4000 : 0) | (ip.mf ? 0x2000 : 0) | (ip.frag_offset / 8)));
  h.push_back(64);
  h.push_back(ip.protocol);
  put16(h, 0);
  append(h, addr_bytes(ip.src));
  append(h, addr_bytes(ip.dst));
  append(h, ip.options);
  uint16_t sum = ones_complement(h);
  if (ip.corrupt_checksum) sum ^= 0x0F0F;
  set16(h, 10, sum);
  return cat(h, payload);
}

struct V6 {
  IpAddress src = v6(1);
  IpAddress dst = v6(2);
  uint8_t next = 6;
  std::optional<uint16_t> payload_length;  // overrides the computed one
};

// `after` is everything behind the fixed header (extension headers included).
inline Bytes ipv6_packet(const V6& ip, const Bytes& after) {
  Bytes h = {0x60, 0x01, 0x23, 0x45};
  put16(h, ip.payload_length ? *ip.payload_length : uint16_t(after.size()));
  h.push_back(ip.next);
  h.push_back(64);
  append(h, addr_bytes(ip.src));
  append(h, addr_bytes(ip.dst));
  return cat(h, after);
}

// Hop-by-hop or destination options header of `total` bytes (a multiple of
// 8), filled with one PadN option.
inline Bytes options_header(uint8_t next, size_t total = 8) {
  Bytes h = {next, uint8_t(total / 8 - 1), 1, uint8_t(total - 4)};
  h.resize(total, 0);
  return h;
}
// Hop-by-hop header carrying a Jumbo Payload option.
inline Bytes jumbo_header(uint8_t next, uint32_t length) {
  Bytes h = {next, 0, 0xC2, 4};
  put32(h, length);
  return h;
}
// Type 0 routing header with the given addresses.
inline Bytes routing_header(uint8_t next, uint8_t segments_left,
                            const std::vector<IpAddress>& addresses, uint8_t type = 0) {
  Bytes h = {next, uint8_t(addresses.size() * 2), type, segments_left, 0, 0, 0, 0};
  for (const auto& a : addresses) append(h, addr_bytes(a));
  return h;
}
inline Bytes fragment_header(uint8_t next, uint32_t offset, bool more, uint32_t id) {
  Bytes h = {next, 0};
  put16(h, uint16_t(offset | (more ? 1 : 0)));
  put32(h, id);
  return h;
}
// Authentication header of (words + 2) * 4 bytes.
inline Bytes auth_header(uint8_t next, uint8_t words = 4) {
  Bytes h = {next, words, 0, 0};
  h.resize((size_t(words) + 2) * 4, 0xAB);
  return h;
}

constexpr MacAddress kDstMac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
constexpr MacAddress kSrcMac = {0x02, 0x66, 0x77, 0x88, 0x99, 0xAA};

// Ethernet II; `tags` are (TPID, TCI) pairs, outermost first.
inline Bytes ethernet(const Bytes& l3, uint16_t type = 0x0800,
                      const std::vector<std::pair<uint16_t, uint16_t>>& tags = {}) {
  Bytes f(kDstMac.begin(), kDstMac.end());
  f.insert(f.end(), kSrcMac.begin(), kSrcMac.end());
  for (const auto& [tpid, tci] : tags) {
    put16(f, tpid);
    put16(f, tci);
  }
  put16(f, type);
  return cat(f, l3);
}

inline Bytes tcp4(const Tcp& t = {}, const V4& ip = {}) {
  return ipv4_packet(ip, tcp_segment(t, ip.src, ip.dst));
}
inline Bytes tcp6(const Tcp& t = {}, const V6& ip = {}) {
  return ipv6_packet(ip, tcp_segment(t, ip.src, ip.dst));
}

}  // namespace tcpflow::decode::test
