// Merges the JSON Lines indexes of a sharded run (PATH.shard-K-of-N) into
// PATH: every line starts with {"shard_seq":S, (the single run's sequence
// number, written only by --shard runs); lines are merged by S, one line per
// shard in memory, and written without that member, as a single run writes
// them.
#pragma once
#include <cstdint>
#include <string>

namespace tcpflow::merge {

// Throws tcpflow::Error when a shard's file is missing, a line lacks its
// sequence number, or the total is not `expected_lines`; PATH is then left
// untouched. Returns the number of lines written.
uint64_t merge_jsonl(const std::string& path, uint32_t count, uint64_t expected_lines);

}  // namespace tcpflow::merge
