#include "app/shard_options.h"

#include <vector>

#include "app/options.h"
#include "merge/shard_files.h"
#include "util/error.h"

namespace tcpflow::app {

void check_shard_flags(const ShardFlags& flags, const Config& config) {
  bool have_files = !config.read_files.empty() || !config.resume_files.empty();
  if (flags.merge_reports && (have_files || config.live || flags.shard_given ||
                              flags.merge_inputs)) {
    throw UsageError(
        "--merge-reports reads no capture: give it only -o DIR (and -X FILE or -S jsonl=FILE "
        "when the shards used them), not -r, -R, -l, -i, --shard or --merge-inputs");
  }
  if (flags.merge_inputs && config.live) {
    throw UsageError("--merge-inputs merges capture files (-r, -l); it cannot be used with -i");
  }
}

void apply_shard_flags(const ShardFlags& flags, Config& config) {
  config.merge_inputs = flags.merge_inputs;
  config.merge_reports = flags.merge_reports;
  if (!flags.shard_given) return;
  std::string error;
  std::optional<flow::ShardSpec> spec = flow::parse_shard_spec(flags.shard_text, error);
  if (!spec) throw UsageError(error);
  config.shard = *spec;
  bool console = config.console != ConsoleMode::kNone;
  if (!console || !config.report_path.empty()) {
    std::string report =
        config.report_path.empty() ? config.outdir + "/report.xml" : config.report_path;
    config.report_path = merge::shard_path(report, config.shard);
  }
  if (!config.jsonl_path.empty()) {
    config.jsonl_path = merge::shard_path(config.jsonl_path, config.shard);
  }
}

std::string shard_options_text(int argc, const char* const* argv, const flow::ShardSpec& spec) {
  const std::string any_index = "*/" + std::to_string(spec.count);
  std::vector<std::string> words;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--shard" && i + 1 < argc) {
      words.push_back("--shard");
      words.push_back(any_index);
      ++i;
    } else if (word.rfind("--shard=", 0) == 0) {
      words.push_back("--shard");
      words.push_back(any_index);
    } else {
      words.push_back(word);
    }
  }
  std::vector<const char*> pointers;
  for (const std::string& word : words) pointers.push_back(word.c_str());
  return shell_join(static_cast<int>(pointers.size()), pointers.data());
}

}  // namespace tcpflow::app
