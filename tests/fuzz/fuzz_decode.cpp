// libFuzzer target: a captured frame through link, IP, defragmentation and
// TCP decoding (tcpflow::decode::PacketDecoder).
//
// Input: a sequence of records, each  [link type byte][len lo][len hi][frame],
// decoded by one PacketDecoder so IP fragments of earlier records can complete.
// The link type byte picks among the supported DLTs (see kLinks). A first byte
// of 0xFF instead feeds the whole rest of the input as a capture file through
// capture::open_capture_file (pcap/pcapng/gzip detection), decoding each record.
// A first byte of 0xFE feeds the rest to one encapsulation decoder directly
// ([decoder index][header bytes]) and checks the view it returns stays inside
// the input. Tunnels are decoded in every mode (records also reach VXLAN on
// the configured extra UDP port 1, so random UDP headers find it).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

#include "capture/packet_source.h"
#include "decode/decoder.h"
#include "decode/tunnel_decoders.h"
#include "util/stats.h"

using namespace tcpflow;

namespace {

// Every link type the decoder supports (asked once), plus one it does not.
const std::vector<int>& links() {
  static const std::vector<int> table = [] {
    std::vector<int> t;
    for (int dlt = 0; dlt < 300; ++dlt)
      if (decode::link_type_supported(dlt)) t.push_back(dlt);
    t.push_back(147);  // DLT_USER0: unsupported
    return t;
  }();
  return table;
}

void check(const decode::DecodedPacket& pkt, decode::DecodeResult r) {
  if (pkt.tunnels.depth > decode::kMaxTunnelDepth) std::abort();
  if (r != decode::DecodeResult::kTcp) return;
  // Views must be readable: touch the first and last byte (ASan checks it).
  volatile uint8_t sink = 0;
  if (!pkt.tcp.payload.empty()) {
    sink ^= pkt.tcp.payload[0];
    sink ^= pkt.tcp.payload[pkt.tcp.payload.size() - 1];
  }
  (void)sink;
}

decode::TunnelConfig fuzz_tunnels() {
  decode::TunnelConfig config;
  config.extra_udp_ports = {{1, decode::TunnelKind::kVxlan}, {2, decode::TunnelKind::kGeneve},
                            {3, decode::TunnelKind::kGtpu}};
  return config;
}

void invariant(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "INVARIANT FAILED: %s\n", what);
  std::abort();
}

void decode_tunnel_header(const uint8_t* data, size_t size) {
  static constexpr decode::TunnelDecodeFn kDecoders[] = {
      decode::decode_ip4_in_ip, decode::decode_ip6_in_ip, decode::decode_gre,
      decode::decode_vxlan,     decode::decode_geneve,    decode::decode_gtpu,
      decode::decode_teredo};
  if (size == 0) return;
  const auto fn = kDecoders[data[0] % std::size(kDecoders)];
  uint8_t* copy = static_cast<uint8_t*>(std::malloc(size));
  std::memcpy(copy, data + 1, size - 1);
  const ByteView input(copy, size - 1);
  decode::TunnelPayload out;
  if (fn(input, out) == decode::TunnelStatus::kInner) {
    invariant(out.bytes.empty() || (out.bytes.data() >= input.data() &&
                                     out.bytes.data() + out.bytes.size() <= input.end()),
              "tunnel payload view outside the input");
    volatile uint8_t sink = out.bytes.empty() ? 0 : out.bytes[out.bytes.size() - 1];
    (void)sink;
  }
  std::free(copy);
}

void decode_records(const uint8_t* data, size_t size) {
  decode::DefragLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_sets = 64;
  decode::PacketDecoder decoder(limits, fuzz_tunnels());
  Stats stats;
  Timestamp ts;
  while (size >= 3) {
    int link = links()[data[0] % links().size()];
    size_t len = data[1] | (size_t(data[2]) << 8);
    data += 3;
    size -= 3;
    if (len > size) len = size;
    // Copy so ASan sees the exact frame bounds.
    uint8_t* frame = static_cast<uint8_t*>(std::malloc(len ? len : 1));
    if (len) std::memcpy(frame, data, len);
    decode::DecodedPacket pkt;
    check(pkt, decoder.decode(link, ByteView(frame, len), ts, pkt, stats));
    std::free(frame);
    data += len;
    size -= len;
    ts.sec += 1;
    if (ts.sec % 16 == 0) decoder.expire(ts, stats);
  }
}

void decode_file(const uint8_t* data, size_t size) {
  char path[] = "/tmp/fuzz-capture-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) break;
    done += size_t(n);
  }
  close(fd);
  try {
    auto src = capture::open_capture_file(path, "");
    decode::DefragLimits limits;
    limits.max_bytes = 1 << 20;
    limits.max_sets = 64;
    decode::PacketDecoder decoder(limits, fuzz_tunnels());
    Stats stats;
    capture::Record rec;
    for (int i = 0; i < 100000; ++i) {
      auto st = src->next(rec);
      if (st != capture::ReadStatus::kPacket) break;
      decode::DecodedPacket pkt;
      check(pkt, decoder.decode(rec.link_type, rec.data, rec.ts, pkt, stats));
    }
  } catch (const std::exception&) {
    // Not a capture: a clean error is the expected outcome.
  }
  unlink(path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  if (data[0] == 0xFF) {
    decode_file(data + 1, size - 1);
  } else if (data[0] == 0xFE) {
    decode_tunnel_header(data + 1, size - 1);
  } else {
    decode_records(data, size);
  }
  return 0;
}
