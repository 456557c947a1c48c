// Tunnel identities for the connection table's keys. A tunnel's key (kind,
// id and both outer addresses) is 40 bytes; carried in every ConnKey it
// doubled the key and cost the plain, untunnelled path about 3% of its
// time in hashing, copying and cache misses. Instead each distinct tunnel
// gets a small number, 0 meaning "no tunnel", and a key holds that number.
// Numbers are reference counted by the connections that use them, so a
// capture with millions of short-lived tunnels (a GTP-U TEID per session)
// does not grow this table without bound.
#pragma once
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "decode/tunnel.h"

namespace tcpflow::flow {

class TunnelInterner {
 public:
  static constexpr uint32_t kNone = 0;

  // The number of `key` (kNone for TunnelKind::kNone), with one reference
  // taken: pair every call with release().
  uint32_t acquire(const decode::TunnelKey& key);
  // Takes one more reference to a number already held. Both inline for
  // the untunnelled packet, which calls them with kNone.
  void retain(uint32_t ref) {
    if (ref != kNone) ++entries_[ref].references;
  }
  void release(uint32_t ref) {
    if (ref != kNone) drop_reference(ref);
  }

  const decode::TunnelKey& key_of(uint32_t ref) const { return entries_[ref].key; }
  size_t live() const { return by_key_.size(); }

 private:
  struct KeyHash {
    size_t operator()(const decode::TunnelKey& k) const;
  };
  struct Entry {
    decode::TunnelKey key;
    uint64_t references = 0;
  };
  void drop_reference(uint32_t ref);

  std::unordered_map<decode::TunnelKey, uint32_t, KeyHash> by_key_;
  std::vector<Entry> entries_{Entry{}};  // entry 0: kNone, never counted
  std::vector<uint32_t> free_;
};

}  // namespace tcpflow::flow
