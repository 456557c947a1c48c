// Counts how many files of each base name this run has created, which is
// tcpflow's connection count (%c): the second file whose name would be X
// becomes Xc1, the third Xc2. Counting our own creations (instead of probing
// the directory as tcpflow 1.6.1 did) makes names independent of what is
// already on disk. Names are remembered as 64-bit hashes in an open-addressed
// table, 8 to 16 bytes per file, so millions of flows stay cheap; the counts
// of names used more than once (a reused 4-tuple: rare) are kept aside.
#pragma once
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tcpflow::output {

class NameCounter {
 public:
  // Returns how many earlier files had this base name, and counts this one.
  uint32_t next(std::string_view base_name);
  // Whether a file of this base name was counted already (counts nothing).
  bool seen(std::string_view base_name) const;
  size_t size() const { return used_; }

 private:
  static uint64_t hash(std::string_view text);
  void grow();

  std::vector<uint64_t> keys_;  // 0 marks an empty slot
  std::unordered_map<uint64_t, uint32_t> repeats_;  // key -> files after the first
  size_t used_ = 0;
};

}  // namespace tcpflow::output
