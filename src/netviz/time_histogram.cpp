#include "netviz/time_histogram.h"

#include <algorithm>

namespace tcpflow::netviz {

namespace {

constexpr int64_t kMaxTimeNs = 3'000'000'000'000'000'000;  // year 2065
constexpr int64_t kSecond = 1'000'000'000;

int64_t floor_to(int64_t t, int64_t width) { return t - t % width; }  // t >= 0

}  // namespace

int64_t time_ns(const Timestamp& ts) {
  if (ts.sec < 0) return 0;
  if (ts.sec >= kMaxTimeNs / kSecond) return kMaxTimeNs;
  return ts.sec * kSecond + static_cast<int64_t>(ts.nsec % kSecond);
}

int64_t next_width(int64_t width) {
  // Below a minute the steps alternate x2 and x5; minutes go x2, x3 (to an
  // hour is x3 from 20 min); hours x2, x3, x2, x2 (1, 2, 6, 12, 24); then x2.
  static constexpr int64_t kMinute = 60 * kSecond, kHour = 60 * kMinute;
  static constexpr int64_t kSteps[] = {
      1000, 2000, 10'000, 20'000, 100'000, 200'000, 1'000'000, 2'000'000, 10'000'000,
      20'000'000, 100'000'000, 200'000'000, kSecond, 2 * kSecond, 10 * kSecond, 20 * kSecond,
      kMinute, 2 * kMinute, 10 * kMinute, 20 * kMinute, kHour, 2 * kHour, 6 * kHour,
      12 * kHour, 24 * kHour};
  for (int64_t step : kSteps) {
    if (step > width) return step;
  }
  return width <= INT64_MAX / 2 ? width * 2 : width;
}

void TimeHistogram::rebuild(int64_t new_origin, int64_t new_width) {
  std::vector<Row> fresh(kBuckets, Row{});
  for (size_t i = 0; i < rows_.size(); ++i) {
    int64_t start = origin_ + static_cast<int64_t>(i) * width_;
    size_t target = static_cast<size_t>((start - new_origin) / new_width);
    for (size_t c = 0; c < kColumns; ++c) fresh[target][c] += rows_[i][c];
  }
  rows_.swap(fresh);
  origin_ = new_origin;
  width_ = new_width;
}

void TimeHistogram::cover(int64_t lo, int64_t hi) {
  if (!started_) {
    started_ = true;
    rows_.assign(kBuckets, Row{});
    origin_ = floor_to(lo, width_);
  }
  int64_t end = origin_ + static_cast<int64_t>(kBuckets) * width_;
  if (lo >= origin_ && hi < end) return;
  int64_t want_lo = std::min(lo, origin_);
  int64_t want_hi = std::max(hi, end - 1);
  int64_t width = width_;
  int64_t origin = floor_to(want_lo, width);
  // A wider bucket keeps the data's start near the left edge: later times
  // are the usual reason to grow.
  while (want_hi - origin >= static_cast<int64_t>(kBuckets) * width) {
    int64_t wider = next_width(width);
    if (wider == width) break;  // unreachable with clamped times; never loop forever
    width = wider;
    origin = floor_to(want_lo, width);
  }
  rebuild(origin, width);
}

void TimeHistogram::add(int64_t t_ns, size_t column, uint64_t value) {
  cover(t_ns, t_ns);
  rows_[index(t_ns)][column] += value;
}

void TimeHistogram::add_spread(int64_t first_ns, int64_t last_ns, size_t column,
                               uint64_t value) {
  if (last_ns < first_ns) std::swap(first_ns, last_ns);
  cover(first_ns, last_ns);
  size_t first = index(first_ns), last = index(last_ns);
  if (first == last || value == 0) {
    rows_[last][column] += value;
    return;
  }
  // Shares by covered time, in 128-bit arithmetic (value * span can exceed 2^64).
  const __int128 span = last_ns - first_ns;
  uint64_t given = 0;
  for (size_t i = first; i < last; ++i) {
    int64_t bucket_end = origin_ + static_cast<int64_t>(i + 1) * width_;
    int64_t from = std::max(first_ns, bucket_end - width_);
    uint64_t share = static_cast<uint64_t>(static_cast<__int128>(value) * (bucket_end - from) / span);
    rows_[i][column] += share;
    given += share;
  }
  rows_[last][column] += value - given;
}

void TimeHistogram::merge_column(size_t from, size_t to) {
  for (Row& row : rows_) {
    row[to] += row[from];
    row[from] = 0;
  }
}

}  // namespace tcpflow::netviz
