// Counts over capture time in a fixed number of buckets. The bucket width
// starts at one microsecond and grows through "nice" widths (each a
// multiple of the one before) whenever a time falls outside the covered
// span; existing buckets are merged into the wider ones, so memory stays
// the same however long the capture is.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/timestamp.h"

namespace tcpflow::netviz {

// Capture time in nanoseconds since the epoch, clamped to [0, 3e18] (year 2065) so
// widths and sums never overflow (a bogus timestamp only widens buckets).
int64_t time_ns(const Timestamp& ts);

class TimeHistogram {
 public:
  static constexpr size_t kBuckets = 240;
  static constexpr size_t kColumns = 15;
  using Row = std::array<uint64_t, kColumns>;

  void add(int64_t t_ns, size_t column, uint64_t value);
  // Spreads `value` over [first_ns, last_ns] in proportion to the time each
  // bucket covers (whole units; the remainder goes to the last bucket).
  void add_spread(int64_t first_ns, int64_t last_ns, size_t column, uint64_t value);
  // Moves everything counted in column `from` into column `to`.
  void merge_column(size_t from, size_t to);

  bool empty() const { return !started_; }
  int64_t origin_ns() const { return origin_; }
  int64_t width_ns() const { return width_; }
  const std::vector<Row>& rows() const { return rows_; }
  // The bucket index of `t_ns` (which must be covered).
  size_t index(int64_t t_ns) const { return static_cast<size_t>((t_ns - origin_) / width_); }

 private:
  // Widens and shifts the buckets until [lo, hi] is covered.
  void cover(int64_t lo, int64_t hi);
  void rebuild(int64_t new_origin, int64_t new_width);

  bool started_ = false;
  int64_t origin_ = 0;      // a multiple of width_
  int64_t width_ = 1000;    // ns
  std::vector<Row> rows_;
};

// The width after `width` in the nice sequence 1-2-10-20-100 µs ... 1-2-10-20 s,
// 1-2-10-20 min, 1-2-6-12 h, 1-2-4-8... days; each a multiple of the last.
int64_t next_width(int64_t width);

}  // namespace tcpflow::netviz
