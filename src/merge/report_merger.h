// tcpflow --merge-reports: joins the reports of a sharded run (see
// flow/shard.h) into the report a single run would have written: the same
// fileobjects in the same order (each shard numbers its fileobjects with the
// single run's sequence, tcpflow:shard_seq, which the merge removes again),
// the summary combined (summary_combiner.h) and each shard's run facts kept.
// The JSON Lines index is merged the same way when the shards wrote one.
//
// Refuses, with an error naming the files: a missing shard, shards of
// different N, shards run with different options or inputs, a shard whose
// run did not finish. Output is written to a temporary name and renamed, so
// a failed merge leaves no half report behind.
#pragma once
#include <cstdint>
#include <string>

namespace tcpflow::merge {

struct MergeRequest {
  std::string report_path;  // the unsharded name: DIR/report.xml or -X FILE
  std::string jsonl_path;   // -S jsonl=FILE; empty: the shards' own jsonl setting, if any
};

struct MergeResult {
  uint32_t shards = 0;
  uint64_t fileobjects = 0;
  std::string jsonl_path;  // empty when there was no index to merge
  uint64_t jsonl_lines = 0;
};

// Throws tcpflow::Error on any refusal or I/O failure.
MergeResult merge_reports(const MergeRequest& request);

}  // namespace tcpflow::merge
