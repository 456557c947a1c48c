#include "decode/tcp.h"

#include "decode/checksum.h"
#include "decode/ip.h"
#include "util/reader.h"

namespace tcpflow::decode {
namespace {

constexpr size_t kTcpMinHeader = 20;

TcpStatus fail(Stats& stats, Counter counter) {
  stats.add(counter);
  return TcpStatus::kMalformed;
}

ChecksumStatus verify(const IpPacket& ip, const IpAddress* routed_dst) {
  if (transport_checksum_ok(ip.src, ip.dst, kProtoTcp, ip.payload)) return ChecksumStatus::kGood;
  if (routed_dst && routed_dst->family == ip.dst.family &&
      transport_checksum_ok(ip.src, *routed_dst, kProtoTcp, ip.payload))
    return ChecksumStatus::kGood;
  return ChecksumStatus::kBad;
}

}  // namespace

TcpStatus decode_tcp(const IpPacket& ip, TcpSegment& out, Stats& stats,
                     const IpAddress* routed_dst) {
  out = TcpSegment{};
  const ByteView seg = ip.payload;
  if (seg.size() < kTcpMinHeader) {
    // Short because the IP length says so, or because the capture stopped.
    return fail(stats, ip.payload_length < kTcpMinHeader ? Counter::kBadTcpHeader
                                                         : Counter::kTruncatedTcpHeader);
  }
  const uint8_t* h = seg.data();
  const size_t header_len = size_t(h[12] >> 4) * 4;
  if (header_len < kTcpMinHeader || header_len > ip.payload_length)
    return fail(stats, Counter::kBadTcpHeader);
  if (header_len > seg.size()) return fail(stats, Counter::kTruncatedTcpHeader);
  out.src_port = load_be16(h);
  out.dst_port = load_be16(h + 2);
  out.seq = load_be32(h + 4);
  out.ack = load_be32(h + 8);
  out.flags = h[13];
  out.window = load_be16(h + 14);
  out.payload = seg.subview(header_len);
  out.payload_length = ip.payload_length - static_cast<uint32_t>(header_len);
  if (out.payload.size() < out.payload_length) stats.add(Counter::kTcpPayloadTruncated);

  // With a length taken from the capture (offload) the real length is unknown,
  // and a partial segment cannot be summed: neither can be judged.
  if (ip.length_from_capture || seg.size() != ip.payload_length) {
    out.checksum = ChecksumStatus::kUnverified;
    stats.add(Counter::kTcpChecksumUnverified);
  } else {
    out.checksum = verify(ip, routed_dst);
    if (out.checksum == ChecksumStatus::kBad) stats.add(Counter::kTcpChecksumBad);
  }
  return TcpStatus::kOk;
}

}  // namespace tcpflow::decode
