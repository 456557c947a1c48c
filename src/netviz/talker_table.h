// Bytes sent and received per IP address, in a table of capped size: when
// it fills, the half with the least traffic is forgotten (and the table says
// so), so a scan of a million addresses cannot grow memory without bound.
#pragma once
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "decode/packet.h"

namespace tcpflow::netviz {

struct TalkerBytes {
  decode::IpAddress address;
  uint64_t sent = 0;
  uint64_t received = 0;
};

class TalkerTable {
 public:
  explicit TalkerTable(size_t capacity = 8192) : capacity_(capacity < 2 ? 2 : capacity) {}

  void add(const decode::IpAddress& src, const decode::IpAddress& dst, uint64_t bytes);

  // The `n` addresses that sent (or received) most, most first; ties by address.
  std::vector<TalkerBytes> top_senders(size_t n) const;
  std::vector<TalkerBytes> top_receivers(size_t n) const;
  size_t size() const { return table_.size(); }
  // True once addresses were forgotten: counts near the cut-off may be low.
  bool pruned() const { return pruned_; }

 private:
  struct AddressHash {
    size_t operator()(const decode::IpAddress& a) const;
  };
  struct Counts {
    uint64_t sent = 0;
    uint64_t received = 0;
  };
  Counts& slot(const decode::IpAddress& address);
  void prune();
  std::vector<TalkerBytes> top(size_t n, bool by_sent) const;

  size_t capacity_;
  bool pruned_ = false;
  std::unordered_map<decode::IpAddress, Counts, AddressHash> table_;
  // The last address looked up for each side: packets come in runs of one
  // connection. Cleared when the table prunes (the pointers may dangle).
  decode::IpAddress last_src_, last_dst_;
  Counts* last_src_counts_ = nullptr;
  Counts* last_dst_counts_ = nullptr;
};

}  // namespace tcpflow::netviz
