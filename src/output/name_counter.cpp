#include "output/name_counter.h"

#include "util/hash.h"

namespace tcpflow::output {

uint64_t NameCounter::hash(std::string_view text) {
  uint64_t h = hash_text(text);
  return h ? h : 1;  // 0 is the empty-slot marker
}

void NameCounter::grow() {
  std::vector<uint64_t> old_keys = std::move(keys_);
  size_t capacity = old_keys.empty() ? 1024 : old_keys.size() * 2;
  keys_.assign(capacity, 0);
  for (uint64_t key : old_keys) {
    if (!key) continue;
    size_t slot = key & (capacity - 1);
    while (keys_[slot]) slot = (slot + 1) & (capacity - 1);
    keys_[slot] = key;
  }
}

bool NameCounter::seen(std::string_view base_name) const {
  if (keys_.empty()) return false;
  const uint64_t key = hash(base_name);
  const size_t mask = keys_.size() - 1;
  size_t slot = key & mask;
  while (keys_[slot] && keys_[slot] != key) slot = (slot + 1) & mask;
  return keys_[slot] == key;
}

uint32_t NameCounter::next(std::string_view base_name) {
  if ((used_ + 1) * 10 > keys_.size() * 7) grow();
  uint64_t key = hash(base_name);
  size_t mask = keys_.size() - 1;
  size_t slot = key & mask;
  while (keys_[slot] && keys_[slot] != key) slot = (slot + 1) & mask;
  if (!keys_[slot]) {
    keys_[slot] = key;
    ++used_;
    return 0;
  }
  return ++repeats_[key];
}

}  // namespace tcpflow::output
