// A set of disjoint half-open byte ranges [start, end) on stream offsets.
// Overlapping and adjacent ranges merge, so a run of contiguous additions stays
// one range and extending the last range never allocates.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>

namespace tcpflow::reassembly {

class IntervalSet {
 public:
  struct Range {
    uint64_t start = 0;
    uint64_t end = 0;
  };

  // Beyond max_ranges, add() refuses ranges that would need a new entry, so a
  // hostile pattern of tiny disjoint ranges cannot grow the set without bound.
  explicit IntervalSet(size_t max_ranges = SIZE_MAX) : max_ranges_(max_ranges) {}

  // Returns false (and changes nothing) only when the range needs a new entry
  // and the set is full; `force` ignores the cap.
  bool add(uint64_t start, uint64_t end, bool force = false);
  void remove(uint64_t start, uint64_t end);

  // The range containing pos, else the first one after it. False if none.
  bool find_from(uint64_t pos, Range& out) const;
  bool contains(uint64_t pos) const;
  // Start of the first range beginning after pos, or UINT64_MAX.
  uint64_t next_start_after(uint64_t pos) const;

  // Moves every range `delta` bytes later.
  void shift(uint64_t delta);

  bool empty() const { return ranges_.empty(); }
  size_t size() const { return ranges_.size(); }
  Range front() const { return {ranges_.begin()->first, ranges_.begin()->second}; }
  void pop_front() { ranges_.erase(ranges_.begin()); }
  Range back() const { return {ranges_.rbegin()->first, ranges_.rbegin()->second}; }
  void clear() { ranges_.clear(); }

  using Map = std::map<uint64_t, uint64_t>;  // start -> end
  Map::const_iterator begin() const { return ranges_.begin(); }
  Map::const_iterator end() const { return ranges_.end(); }

 private:
  Map::iterator first_ending_after(uint64_t pos);
  Map::const_iterator first_ending_after(uint64_t pos) const;

  Map ranges_;
  size_t max_ranges_;
};

}  // namespace tcpflow::reassembly
