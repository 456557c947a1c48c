// Which encapsulation a datagram carries: the dispatch table (IP protocol
// or UDP port -> decoder module), and the one step that peels a header.
#pragma once
#include <cstdint>
#include <vector>

#include "decode/packet.h"
#include "decode/tunnel.h"
#include "decode/tunnel_decoders.h"
#include "util/stats.h"

namespace tcpflow::decode {

enum class TunnelStep : uint8_t {
  kNotTunnel,   // no encapsulation we know: the datagram is what it is
  kInner,       // `inner` is the carried packet
  kNoUserData,  // a tunnel control message (counted)
  kFailed,      // truncated, malformed or unknown next protocol (counted)
};

class TunnelDispatcher {
 public:
  explicit TunnelDispatcher(const TunnelConfig& config);

  bool enabled() const { return enabled_; }

  // Peels one encapsulation off a complete (not fragmented) datagram that is
  // not TCP. On kInner `inner` describes the carried packet and its kind and id.
  TunnelStep step(const IpPacket& ip, TunnelPayload& inner, Stats& stats) const;

 private:
  struct UdpRoute {
    uint16_t port;
    size_t entry;  // index into the dispatch table
  };
  TunnelStep run(size_t entry, ByteView bytes, TunnelPayload& inner, Stats& stats) const;
  TunnelStep udp(const IpPacket& ip, TunnelPayload& inner, Stats& stats) const;

  bool enabled_ = true;
  std::vector<UdpRoute> udp_routes_;
};

}  // namespace tcpflow::decode
