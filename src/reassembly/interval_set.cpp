#include "reassembly/interval_set.h"

#include <algorithm>
#include <iterator>

namespace tcpflow::reassembly {

IntervalSet::Map::iterator IntervalSet::first_ending_after(uint64_t pos) {
  auto it = ranges_.upper_bound(pos);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second > pos) return prev;
  }
  return it;
}

IntervalSet::Map::const_iterator IntervalSet::first_ending_after(uint64_t pos) const {
  auto it = ranges_.upper_bound(pos);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second > pos) return prev;
  }
  return it;
}

bool IntervalSet::add(uint64_t start, uint64_t end, bool force) {
  if (start >= end) return true;
  // The first range that touches [start, end): one ending at or after start.
  auto first = ranges_.upper_bound(start);
  if (first != ranges_.begin() && std::prev(first)->second >= start) --first;
  auto last = first;
  uint64_t new_start = start;
  uint64_t new_end = end;
  while (last != ranges_.end() && last->first <= new_end) {
    new_start = std::min(new_start, last->first);
    new_end = std::max(new_end, last->second);
    ++last;
  }
  if (first == last) {
    if (!force && ranges_.size() >= max_ranges_) return false;
    ranges_.emplace_hint(last, new_start, new_end);
    return true;
  }
  if (first->first == new_start) {
    // Extend in place: the common case of appending to the last range.
    first->second = new_end;
    ranges_.erase(std::next(first), last);
    return true;
  }
  ranges_.erase(first, last);
  ranges_.emplace(new_start, new_end);
  return true;
}

void IntervalSet::remove(uint64_t start, uint64_t end) {
  if (start >= end) return;
  auto it = first_ending_after(start);
  while (it != ranges_.end() && it->first < end) {
    const uint64_t range_start = it->first;
    const uint64_t range_end = it->second;
    it = ranges_.erase(it);
    if (range_start < start) ranges_.emplace(range_start, start);
    if (range_end > end) {
      ranges_.emplace(end, range_end);
      break;
    }
  }
}

bool IntervalSet::find_from(uint64_t pos, Range& out) const {
  auto it = first_ending_after(pos);
  if (it == ranges_.end()) return false;
  out = {it->first, it->second};
  return true;
}

bool IntervalSet::contains(uint64_t pos) const {
  auto it = first_ending_after(pos);
  return it != ranges_.end() && it->first <= pos;
}

uint64_t IntervalSet::next_start_after(uint64_t pos) const {
  auto it = ranges_.upper_bound(pos);
  return it == ranges_.end() ? UINT64_MAX : it->first;
}

void IntervalSet::shift(uint64_t delta) {
  if (delta == 0 || ranges_.empty()) return;
  Map moved;
  for (const auto& [start, end] : ranges_)
    moved.emplace_hint(moved.end(), start + delta, end + delta);
  ranges_.swap(moved);
}

}  // namespace tcpflow::reassembly
