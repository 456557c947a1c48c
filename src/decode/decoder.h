// The decode facade: one call turns a captured frame into a TCP segment view
// (through link, IP, defragmentation and TCP decoding), or says why not.
#pragma once
#include <memory>
#include <optional>

#include "decode/ip_defrag.h"
#include "decode/packet.h"
#include "decode/tunnel.h"
#include "decode/tunnel_dispatch.h"
#include "util/byte_view.h"
#include "util/stats.h"
#include "util/timestamp.h"

namespace tcpflow::decode {

struct DecodedPacket {
  LinkLayer link;      // the capture's link layer (MACs of an inner Ethernet frame when a tunnel carried one)
  IpPacket ip;         // the innermost whole datagram (defragmented when it was fragmented)
  TcpSegment tcp;      // valid only when decode() returned kTcp
  TunnelChain tunnels; // the encapsulations crossed to reach `ip`, outermost first
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
  explicit PacketDecoder(const DefragLimits& limits, const TunnelConfig& tunnels = {});
  ~PacketDecoder();

  // `frame` must stay valid until the next call; so must the views in `out`
  // (they may point into the defragmenter's buffer).
  DecodeResult decode(int link_type, ByteView frame, Timestamp ts, DecodedPacket& out,
                      Stats& stats);

  // Drops fragment sets older than the timeout (call now and then).
  void expire(Timestamp now, Stats& stats);

 private:
  std::optional<DecodeResult> decode_network(NetProto proto, ByteView l3, Timestamp ts, DecodedPacket& out,
                                             Stats& stats, IpAddress& routed_dst);
  std::optional<DecodeResult> enter_tunnel(const TunnelPayload& inner, DecodedPacket& out,
                                           NetProto& proto, ByteView& l3, Stats& stats);

  IpDefragmenter defrag_;
  TunnelDispatcher tunnels_;
};

}  // namespace tcpflow::decode
