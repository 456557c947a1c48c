// Rebuilds IPv4 and IPv6 datagrams from fragments: sets keyed by
// (version, src, dst, id, protocol); first copy wins where fragments overlap;
// bounded bytes and sets; a timeout drops sets that never complete.
#pragma once
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <vector>

#include "decode/defrag_limits.h"
#include "decode/packet.h"
#include "util/stats.h"
#include "util/timestamp.h"

namespace tcpflow::decode {

class IpDefragmenter {
 public:
  explicit IpDefragmenter(const DefragLimits& limits);
  ~IpDefragmenter();
  IpDefragmenter(const IpDefragmenter&) = delete;
  IpDefragmenter& operator=(const IpDefragmenter&) = delete;

  // Adds one fragment (fragment.is_fragment must be true). Returns true when it
  // completed a datagram: `whole` then describes it (is_fragment false), with
  // its payload in a buffer owned by this object, valid until the next call.
  bool add(const IpPacket& fragment, Timestamp ts, IpPacket& whole, Stats& stats);

  // Drops sets older than the timeout; counted as kFragmentsTimedOut.
  void expire(Timestamp now, Stats& stats);

  uint64_t held_bytes() const;
  size_t held_sets() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tcpflow::decode
