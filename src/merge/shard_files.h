// Where a sharded run's reports live: a shard writes PATH with
// ".shard-K-of-N" put before the extension (report.xml becomes
// report.shard-2-of-8.xml, flows.jsonl becomes flows.shard-2-of-8.jsonl), so
// N workers can share one output directory. The merge finds them again here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "flow/shard.h"

namespace tcpflow::merge {

// PATH with the shard infix before the last component's extension.
std::string shard_path(const std::string& path, const flow::ShardSpec& spec);

// The shards of `path` present on disk, all N of them, in index order.
// Throws tcpflow::Error naming the problem: none found, reports of different
// N side by side, or the missing ones ("missing DIR/report.shard-3-of-4.xml").
std::vector<std::string> find_shard_files(const std::string& path, uint32_t* count_out);

// The N shard paths of `path` (whether or not they exist).
std::vector<std::string> shard_paths(const std::string& path, uint32_t count);

}  // namespace tcpflow::merge
