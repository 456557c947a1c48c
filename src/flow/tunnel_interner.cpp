#include "flow/tunnel_interner.h"

#include <cstring>

#include "util/hash.h"

namespace tcpflow::flow {

size_t TunnelInterner::KeyHash::operator()(const decode::TunnelKey& k) const {
  uint64_t words[4];
  std::memcpy(words, k.low.bytes.data(), 16);
  std::memcpy(words + 2, k.high.bytes.data(), 16);
  WordHash hash;
  for (uint64_t word : words) hash.add(word);
  hash.add((uint64_t{k.id} << 32) | (uint64_t(k.kind) << 16) | (uint64_t{k.has_id} << 8) |
           (uint64_t{k.low.family} << 4) | k.high.family);
  return static_cast<size_t>(hash.value());
}

uint32_t TunnelInterner::acquire(const decode::TunnelKey& key) {
  if (key.kind == decode::TunnelKind::kNone) return kNone;
  auto [it, added] = by_key_.try_emplace(key, 0);
  if (added) {
    if (free_.empty()) {
      it->second = static_cast<uint32_t>(entries_.size());
      entries_.push_back(Entry{key, 0});
    } else {
      it->second = free_.back();
      free_.pop_back();
      entries_[it->second] = Entry{key, 0};
    }
  }
  ++entries_[it->second].references;
  return it->second;
}

void TunnelInterner::drop_reference(uint32_t ref) {
  Entry& entry = entries_[ref];
  if (--entry.references > 0) return;
  by_key_.erase(entry.key);
  free_.push_back(ref);
}

}  // namespace tcpflow::flow
