#include "decode/ip.h"

#include <algorithm>

#include "decode/checksum.h"
#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr size_t kIpv4MinHeader = 20;
constexpr uint16_t kIpv4MoreFragments = 0x2000;
constexpr uint16_t kIpv4OffsetMask = 0x1FFF;

IpStatus fail(Stats& stats, Counter counter) {
  stats.add(counter);
  return IpStatus::kMalformed;
}

IpAddress ipv4_address(const uint8_t* p) {
  IpAddress a;
  a.family = 4;
  std::copy_n(p, 4, a.bytes.begin());
  return a;
}

}  // namespace

IpStatus decode_ipv4(ByteView l3, IpPacket& out, Stats& stats) {
  out = IpPacket{};
  if (l3.size() < kIpv4MinHeader) return fail(stats, Counter::kTruncatedIpHeader);
  const uint8_t* h = l3.data();
  if ((h[0] >> 4) != 4) return fail(stats, Counter::kBadIpHeader);
  const size_t header_len = size_t(h[0] & 0x0F) * 4;
  if (header_len < kIpv4MinHeader) return fail(stats, Counter::kBadIpHeader);
  if (header_len > l3.size()) return fail(stats, Counter::kTruncatedIpHeader);

  const uint16_t frag = load_be16(h + 6);
  out.proto = NetProto::kIPv4;
  out.fragment_id = load_be16(h + 4);
  out.fragment_offset = uint32_t(frag & kIpv4OffsetMask) * 8;
  out.more_fragments = (frag & kIpv4MoreFragments) != 0;
  out.is_fragment = out.more_fragments || out.fragment_offset != 0;
  out.transport = h[9];
  out.src = ipv4_address(h + 12);
  out.dst = ipv4_address(h + 16);

  uint64_t total = load_be16(h + 2);
  if (total == 0 && !out.is_fragment) {
    // Segmentation offload hands the capture a super-packet whose length
    // field is not filled in yet; the captured bytes are all there is.
    total = std::min<uint64_t>(l3.size(), UINT32_MAX);
    out.length_from_capture = true;
    stats.add(Counter::kIpLengthZero);
  }
  if (total < header_len) return fail(stats, Counter::kBadIpHeader);
  if (total > l3.size()) stats.add(Counter::kIpLengthBeyondCapture);
  out.payload_length = static_cast<uint32_t>(total - header_len);
  out.payload = l3.subview(header_len, out.payload_length);

  // A bad header checksum marks a corrupted copy: it is counted and its
  // bytes are kept, but any good copy of them wins later (as with a bad TCP
  // checksum, which is also how an offloaded checksum ends up being treated).
  ChecksumAccumulator acc;
  acc.add(l3.first(header_len));
  if (!acc.verifies()) {
    out.header_checksum_bad = true;
    stats.add(Counter::kBadIpChecksum);
  }
  return IpStatus::kOk;
}

IpStatus decode_ip(NetProto proto, ByteView l3, IpPacket& out, Stats& stats,
                   IpAddress* final_dst) {
  if (proto == NetProto::kIPv6) return decode_ipv6(l3, out, stats, final_dst);
  if (final_dst) *final_dst = IpAddress{};
  return decode_ipv4(l3, out, stats);
}

}  // namespace tcpflow::decode
