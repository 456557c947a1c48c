// When each byte of a flow direction arrived: the packet time of the write
// that delivered it, by stream offset. Kept only when something needs it (the
// http scanner gives each message the time of its first byte), filled by the
// flow layer as the reassembler delivers bytes, read after the direction
// closed. Contiguous writes with the same time share one entry; past
// kMaxEntries the rest of the flow has no times (memory stays bounded).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "util/timestamp.h"

namespace tcpflow::flow {

class WriteTimes {
 public:
  static constexpr size_t kMaxEntries = 1u << 18;  // 6 MiB per direction at most

  void note(uint64_t offset, size_t length, Timestamp ts);
  // Bytes delivered so far move up by `delta` (bytes found before the start).
  void shift(uint64_t delta);
  // Sorts by offset; call once every write is in, before at().
  void seal();

  // The time of the write that delivered the byte at `offset`, if recorded.
  std::optional<Timestamp> at(uint64_t offset) const;

  size_t entries() const { return entries_.size(); }
  bool full() const { return full_; }

  struct Entry {
    uint64_t offset;
    uint64_t end;
    Timestamp ts;
  };
  // Every entry, by offset once sealed (the report lists a proxy's reads).
  const std::vector<Entry>& list() const { return entries_; }

 private:
  std::vector<Entry> entries_;
  bool full_ = false;
};

}  // namespace tcpflow::flow
