// libFuzzer target: a captured frame through link, IP, defragmentation and
// TCP decoding (tcpflow::decode::PacketDecoder).
//
// Input: a sequence of records, each  [link type byte][len lo][len hi][frame],
// decoded by one PacketDecoder so IP fragments of earlier records can complete.
// The link type byte picks among the supported DLTs (see kLinks). A first byte
// of 0xFF instead feeds the whole rest of the input as a capture file through
// capture::open_capture_file (pcap/pcapng/gzip detection), decoding each record.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include "capture/packet_source.h"
#include "decode/decoder.h"
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
  if (r != decode::DecodeResult::kTcp) return;
  // Views must be readable: touch the first and last byte (ASan checks it).
  volatile uint8_t sink = 0;
  if (!pkt.tcp.payload.empty()) {
    sink ^= pkt.tcp.payload[0];
    sink ^= pkt.tcp.payload[pkt.tcp.payload.size() - 1];
  }
  (void)sink;
}

void decode_records(const uint8_t* data, size_t size) {
  decode::DefragLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_sets = 64;
  decode::PacketDecoder decoder(limits);
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
    decode::PacketDecoder decoder(limits);
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
  } else {
    decode_records(data, size);
  }
  return 0;
}
