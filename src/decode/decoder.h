// The decode facade: one call turns a captured frame into a TCP segment view
// (through link, IP, defragmentation and TCP decoding), or says why not.
#pragma once
#include <memory>

#include "decode/ip_defrag.h"
#include "decode/packet.h"
#include "util/byte_view.h"
#include "util/stats.h"
#include "util/timestamp.h"

namespace tcpflow::decode {

struct DecodedPacket {
  LinkLayer link;
  IpPacket ip;      // the whole datagram (after defragmentation when it was fragmented)
  TcpSegment tcp;   // valid only when decode() returned kTcp
};

enum class DecodeResult : uint8_t {
  kTcp,              // out.tcp is a TCP segment
  kNotTcp,           // a well-formed packet that is not TCP (ARP, UDP, ICMP, ...)
  kFragmentHeld,     // an IP fragment was stored; nothing to process yet
  kMalformed,        // truncated or impossible headers (counted in Stats)
  kUnsupportedLink,  // link type we cannot decode (counted in Stats)
};

// True when decode() knows the link type (DLT_* / LINKTYPE_* value).
bool link_type_supported(int link_type);

class PacketDecoder {
 public:
  explicit PacketDecoder(const DefragLimits& limits);
  ~PacketDecoder();

  // `frame` must stay valid until the next call; so must the views in `out`
  // (they may point into the defragmenter's buffer).
  DecodeResult decode(int link_type, ByteView frame, Timestamp ts, DecodedPacket& out,
                      Stats& stats);

  // Drops fragment sets older than the timeout (call now and then).
  void expire(Timestamp now, Stats& stats);

 private:
  IpDefragmenter defrag_;
};

}  // namespace tcpflow::decode
