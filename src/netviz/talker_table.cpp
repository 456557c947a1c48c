#include "netviz/talker_table.h"

#include <algorithm>
#include <cstring>

namespace tcpflow::netviz {

size_t TalkerTable::AddressHash::operator()(const decode::IpAddress& a) const {
  uint64_t words[2];
  std::memcpy(words, a.bytes.data(), 16);
  uint64_t h = (words[0] ^ (words[1] * 0x9e3779b97f4a7c15ull) ^ a.family) * 0xbf58476d1ce4e5b9ull;
  return static_cast<size_t>(h ^ (h >> 31));
}

TalkerTable::Counts& TalkerTable::slot(const decode::IpAddress& address) {
  if (table_.size() >= capacity_ && table_.find(address) == table_.end()) prune();
  return table_[address];
}

void TalkerTable::add(const decode::IpAddress& src, const decode::IpAddress& dst,
                      uint64_t bytes) {
  if (!last_src_counts_ || !(src == last_src_)) {
    last_src_counts_ = &slot(src);
    last_src_ = src;
  }
  if (!last_dst_counts_ || !(dst == last_dst_)) {
    Counts& counts = slot(dst);
    last_dst_counts_ = &counts;
    last_dst_ = dst;
    // slot() may have pruned, taking the sender's entry with it.
    if (!last_src_counts_) last_src_counts_ = &slot(src);
  }
  last_src_counts_->sent += bytes;
  last_dst_counts_->received += bytes;
}

void TalkerTable::prune() {
  std::vector<TalkerBytes> all;
  all.reserve(table_.size());
  for (const auto& [address, counts] : table_) all.push_back({address, counts.sent, counts.received});
  // Keep the half with the most traffic either way; ties by address, so the
  // result does not depend on the hash table's order.
  auto key = [](const TalkerBytes& t) { return std::max(t.sent, t.received); };
  size_t keep = capacity_ / 2;
  std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                   [&](const TalkerBytes& a, const TalkerBytes& b) {
                     return key(a) != key(b) ? key(a) > key(b) : a.address < b.address;
                   });
  for (size_t i = keep; i < all.size(); ++i) table_.erase(all[i].address);
  pruned_ = true;
  last_src_counts_ = nullptr;
  last_dst_counts_ = nullptr;
}

std::vector<TalkerBytes> TalkerTable::top(size_t n, bool by_sent) const {
  std::vector<TalkerBytes> all;
  for (const auto& [address, counts] : table_) {
    if ((by_sent ? counts.sent : counts.received) > 0) {
      all.push_back({address, counts.sent, counts.received});
    }
  }
  auto value = [by_sent](const TalkerBytes& t) { return by_sent ? t.sent : t.received; };
  auto order = [&](const TalkerBytes& a, const TalkerBytes& b) {
    return value(a) != value(b) ? value(a) > value(b) : a.address < b.address;
  };
  size_t count = std::min(n, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count), all.end(), order);
  all.resize(count);
  return all;
}

std::vector<TalkerBytes> TalkerTable::top_senders(size_t n) const { return top(n, true); }
std::vector<TalkerBytes> TalkerTable::top_receivers(size_t n) const { return top(n, false); }

}  // namespace tcpflow::netviz
