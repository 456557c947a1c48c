#include "flow/write_times.h"

#include <algorithm>

namespace tcpflow::flow {

void WriteTimes::note(uint64_t offset, size_t length, Timestamp ts) {
  if (length == 0) return;
  if (!entries_.empty()) {
    Entry& last = entries_.back();
    if (last.end == offset && last.ts == ts) {
      last.end += length;
      return;
    }
  }
  if (entries_.size() >= kMaxEntries) {
    full_ = true;
    return;
  }
  entries_.push_back(Entry{offset, offset + length, ts});
}

void WriteTimes::shift(uint64_t delta) {
  for (Entry& e : entries_) {
    e.offset += delta;
    e.end += delta;
  }
}

void WriteTimes::seal() {
  std::stable_sort(entries_.begin(), entries_.end(),
                   [](const Entry& a, const Entry& b) { return a.offset < b.offset; });
}

std::optional<Timestamp> WriteTimes::at(uint64_t offset) const {
  // The last entry starting at or before `offset`, if it covers it.
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](uint64_t value, const Entry& e) { return value < e.offset; });
  if (it == entries_.begin()) return std::nullopt;
  --it;
  if (offset >= it->end) return std::nullopt;
  return it->ts;
}

}  // namespace tcpflow::flow
