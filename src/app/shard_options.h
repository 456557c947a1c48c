// The command-line rules of --shard, --merge-inputs and --merge-reports
// (doc/SHARDING.md), kept out of options.cpp's general parsing.
#pragma once
#include <string>

#include "app/config.h"

namespace tcpflow::app {

struct ShardFlags {
  std::string shard_text;  // --shard's value, empty when not given
  bool shard_given = false;
  bool merge_inputs = false;
  bool merge_reports = false;
};

// Checks the combinations before the live-capture default is applied
// (--merge-reports reads no capture at all). Throws UsageError.
void check_shard_flags(const ShardFlags& flags, const Config& config);

// Sets config.shard, merge_inputs and merge_reports, and puts the
// ".shard-K-of-N" infix into the report and JSON Lines paths of a shard.
// Throws UsageError for a bad K/N.
void apply_shard_flags(const ShardFlags& flags, Config& config);

// argv without the program name, with --shard's K replaced by '*': what
// every shard of one run has in common, recorded in its report so the
// merge can refuse shards of different runs.
std::string shard_options_text(int argc, const char* const* argv, const flow::ShardSpec& spec);

}  // namespace tcpflow::app
