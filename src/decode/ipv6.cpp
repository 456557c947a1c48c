// IPv6: fixed header, Jumbo Payload option, and the extension-header chain.
#include <algorithm>
#include <optional>

#include "decode/ip.h"
#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr size_t kIpv6Header = 40;
constexpr int kMaxExtensionHeaders = 16;  // bounds hostile chains

constexpr uint8_t kHopByHop = 0;
constexpr uint8_t kRouting = 43;
constexpr uint8_t kFragment = 44;
constexpr uint8_t kAuthHeader = 51;
constexpr uint8_t kDestOptions = 60;
constexpr uint8_t kMobility = 135;
constexpr uint8_t kHip = 139;
constexpr uint8_t kShim6 = 140;
constexpr uint8_t kJumboOption = 0xC2;

// Headers we step over. ESP (50) and No Next Header (59) end the walk like a
// transport protocol: what follows cannot be read.
bool is_walkable(uint8_t type) {
  switch (type) {
    case kHopByHop: case kRouting: case kFragment: case kAuthHeader:
    case kDestOptions: case kMobility: case kHip: case kShim6:
      return true;
    default:
      return false;
  }
}

// A walk along the chain. `data` is clipped to both the capture and the
// claimed length, so a read inside it is always safe.
struct Chain {
  ByteView data;
  uint64_t claimed = 0;
  size_t offset = 0;
  uint8_t type = 0;
};

bool need(const Chain& c, size_t n, Stats& stats) {
  if (c.offset + n <= c.data.size()) return true;
  // Past the claimed length the chain is impossible; inside it only the capture ended.
  stats.add(c.offset + n > c.claimed ? Counter::kIpv6ExtHeaderBad : Counter::kTruncatedIpHeader);
  return false;
}

// A routing header with segments left names a destination other than the one
// in the IPv6 header; the transport checksum was computed with that one.
void note_final_destination(const uint8_t* h, size_t len, IpAddress* final_dst) {
  if (!final_dst || final_dst->family != 0 || h[3] == 0) return;
  const size_t addresses = h[1] / 2;
  size_t at = 0;
  if ((h[2] == 0 || h[2] == 2) && addresses > 0) at = 8 + 16 * (addresses - 1);  // last address
  else if (h[2] == 4 && addresses > 0) at = 8;  // segment routing: list[0] is the final segment
  else return;
  if (at + 16 > len) return;
  final_dst->family = 6;
  std::copy_n(h + at, 16, final_dst->bytes.begin());
}

IpStatus walk_chain(Chain& c, IpPacket& out, Stats& stats, bool allow_fragment,
                    IpAddress* final_dst) {
  for (int count = 0; is_walkable(c.type); ++count) {
    if (count == kMaxExtensionHeaders) {
      stats.add(Counter::kIpv6ExtHeaderBad);
      return IpStatus::kMalformed;
    }
    if (c.type == kFragment) {
      if (!allow_fragment) {
        stats.add(Counter::kIpv6ExtHeaderBad);
        return IpStatus::kMalformed;
      }
      if (!need(c, 8, stats)) return IpStatus::kMalformed;
      const uint8_t* h = c.data.data() + c.offset;
      const uint16_t offset_flags = load_be16(h + 2);
      c.type = h[0];
      c.offset += 8;
      const uint32_t offset = offset_flags & 0xFFF8u;
      const bool more = (offset_flags & 1) != 0;
      // An atomic fragment (offset 0, M clear) is a whole datagram (RFC 6946).
      if (offset == 0 && !more) continue;
      out.is_fragment = true;
      out.fragment_id = load_be32(h + 4);
      out.fragment_offset = offset;
      out.more_fragments = more;
      break;  // the rest of the chain is in the fragmentable part
    }
    if (!need(c, 2, stats)) return IpStatus::kMalformed;
    const uint8_t* h = c.data.data() + c.offset;
    const size_t len = c.type == kAuthHeader ? (size_t(h[1]) + 2) * 4 : (size_t(h[1]) + 1) * 8;
    if (!need(c, len, stats)) return IpStatus::kMalformed;
    if (c.type == kRouting) note_final_destination(h, len, final_dst);
    c.type = h[0];
    c.offset += len;
  }
  out.transport = c.type;
  out.payload = c.data.subview(c.offset);
  out.payload_length = static_cast<uint32_t>(c.claimed - c.offset);
  return IpStatus::kOk;
}

// The Jumbo Payload option (RFC 2675) in a hop-by-hop header at `after[0]`.
std::optional<uint32_t> find_jumbo_length(ByteView after) {
  if (after.size() < 2) return std::nullopt;
  const size_t len = std::min((size_t(after[1]) + 1) * 8, after.size());
  size_t i = 2;
  while (i < len) {
    const uint8_t type = after[i];
    if (type == 0) {  // Pad1 has no length byte
      ++i;
      continue;
    }
    if (i + 1 >= len) break;
    const size_t opt_len = after[i + 1];
    if (type == kJumboOption && opt_len == 4 && i + 6 <= len)
      return load_be32(after.data() + i + 2);
    i += 2 + opt_len;
  }
  return std::nullopt;
}

IpAddress ipv6_address(const uint8_t* p) {
  IpAddress a;
  a.family = 6;
  std::copy_n(p, 16, a.bytes.begin());
  return a;
}

}  // namespace

IpStatus decode_ipv6(ByteView l3, IpPacket& out, Stats& stats, IpAddress* final_dst) {
  out = IpPacket{};
  if (final_dst) *final_dst = IpAddress{};
  if (l3.size() < kIpv6Header) {
    stats.add(Counter::kTruncatedIpHeader);
    return IpStatus::kMalformed;
  }
  const uint8_t* h = l3.data();
  if ((h[0] >> 4) != 6) {
    stats.add(Counter::kBadIpHeader);
    return IpStatus::kMalformed;
  }
  out.proto = NetProto::kIPv6;
  out.src = ipv6_address(h + 8);
  out.dst = ipv6_address(h + 24);

  const ByteView after = l3.subview(kIpv6Header);
  Chain chain;
  chain.type = h[6];
  chain.claimed = load_be16(h + 4);
  if (chain.claimed == 0) {
    std::optional<uint32_t> jumbo;
    if (chain.type == kHopByHop) jumbo = find_jumbo_length(after);
    if (jumbo) {
      chain.claimed = *jumbo;
    } else {
      // Offload again: a zero length with no jumbogram means "whatever was captured".
      chain.claimed = std::min<uint64_t>(after.size(), UINT32_MAX);
      out.length_from_capture = true;
      stats.add(Counter::kIpLengthZero);
    }
  }
  if (chain.claimed > after.size()) stats.add(Counter::kIpLengthBeyondCapture);
  chain.data = after.first(static_cast<size_t>(chain.claimed));
  return walk_chain(chain, out, stats, /*allow_fragment=*/true, final_dst);
}

IpStatus finish_ipv6_chain(IpPacket& whole, Stats& stats) {
  Chain chain;
  chain.data = whole.payload.first(whole.payload_length);
  chain.claimed = whole.payload_length;
  chain.type = whole.transport;
  return walk_chain(chain, whole, stats, /*allow_fragment=*/false, nullptr);
}

}  // namespace tcpflow::decode
