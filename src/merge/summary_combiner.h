// Combines the closing <rusage> and <tcpflow:summary> of N shard reports
// into one, as a single run would have counted. Every shard reads and
// reassembles the whole input, so the input and flow-table counters
// (packets_read, flows_created, gaps, ...) are the same in each and are
// taken once; the counters of output work (flow files written, write
// errors, scanner and tcp_cmd counts) and of each direction's reassembly
// (duplicates, conflicts, gaps) are counted only by the shard that keeps a
// connection and are summed. Each shard's own run facts (its
// execution environment, resource usage, stop reason, elapsed time) are kept
// in a <tcpflow:shard> element inside the summary.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "merge/report_blocks.h"

namespace tcpflow::merge {

// What one shard report ends with, plus what the merge keeps about it.
struct ShardTail {
  std::string report_name;           // file name, for <tcpflow:shard report=...>
  std::vector<std::string> execution_environment;  // lines of its <execution_environment>
  std::vector<std::string> rusage;   // its <rusage> block (may be empty)
  std::vector<std::string> summary;  // its <tcpflow:summary> block
  uint64_t fileobjects = 0;          // fileobjects read from it
  uint64_t connection_records = 0;   // <tcpflow:connection> entries read from it
};

// True for the counters (and summary values) that each shard counts only
// for its own connections, so the merge adds them up.
bool summed_across_shards(std::string_view name);

// The merged <rusage> block (empty when no shard has one). utime, stime and
// the fault, swap and block counts are added; maxrss and clocktime are the
// largest.
std::vector<std::string> combined_rusage(const std::vector<ShardTail>& shards);

// The merged <tcpflow:summary> block. Throws tcpflow::Error when a shard's
// summary says it did not complete, or when shards read different input
// (their packets_read or bytes_read differ).
std::vector<std::string> combined_summary(const std::vector<ShardTail>& shards,
                                          uint64_t fileobjects);

}  // namespace tcpflow::merge
