#include "merge/report_merger.h"

#include <cerrno>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "merge/jsonl_merger.h"
#include "merge/report_blocks.h"
#include "merge/shard_files.h"
#include "merge/summary_combiner.h"
#include "util/error.h"

namespace tcpflow::merge {
namespace {

constexpr char kSeqAttribute[] = "tcpflow:shard_seq";
// Settings that differ between the shards of one run by design.
constexpr char kShardSetting[] = "shard";
// The command line without the shard index (app/shard_options.h).
constexpr char kOptionsSetting[] = "shard_options";

std::string base_name(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct Setting {
  std::string name;
  std::string value;  // as written (XML-escaped)
  std::string line;
};

std::vector<Setting> settings_of(const Block& metadata) {
  std::vector<Setting> settings;
  for (const std::string& line : metadata.lines) {
    if (line.find("<tcpflow:setting ") == std::string::npos) continue;
    settings.push_back({attribute_of(line, "name").value_or(""),
                        attribute_of(line, "value").value_or(""), line});
  }
  return settings;
}

std::optional<std::string> setting(const std::vector<Setting>& settings, const std::string& name) {
  for (const Setting& s : settings) {
    if (s.name == name) return s.value;
  }
  return std::nullopt;
}

// One shard's report, read block by block.
struct ShardInput {
  std::unique_ptr<ReportBlocks> blocks;
  Block metadata;
  Block creator;
  std::optional<Block> source;
  std::vector<Setting> settings;
  uint64_t last_seq = 0;
  uint64_t fileobjects = 0;
};

Block expect_block(ReportBlocks& blocks, const char* name) {
  std::optional<Block> block = blocks.next();
  if (!block || block->name != name) {
    throw Error(blocks.path() + ": expected <" + name + "> (not a report of a sharded run?)");
  }
  return std::move(*block);
}

ShardInput open_shard(const std::string& path, uint32_t index, uint32_t count) {
  ShardInput shard;
  shard.blocks = std::make_unique<ReportBlocks>(path);
  shard.metadata = expect_block(*shard.blocks, "metadata");
  shard.creator = expect_block(*shard.blocks, "creator");
  if (const Block* next = shard.blocks->peek(); next && next->name == "source") {
    shard.source = shard.blocks->next();
  }
  shard.settings = settings_of(shard.metadata);
  std::string want = std::to_string(index) + "/" + std::to_string(count);
  std::optional<std::string> recorded = setting(shard.settings, kShardSetting);
  if (!recorded) throw Error(path + ": not written by a --shard run (no shard setting)");
  if (*recorded != want) {
    throw Error(path + ": its run was --shard " + *recorded + ", not " + want +
                " as its name says");
  }
  return shard;
}

// Every setting but the shard index must agree, and so must the inputs.
void check_same_run(const std::vector<ShardInput>& shards) {
  const ShardInput& model = shards.front();
  const std::string model_name = base_name(model.blocks->path());
  for (const ShardInput& shard : shards) {
    const std::string name = base_name(shard.blocks->path());
    auto differ = [&](const std::string& what) {
      throw Error("cannot merge shards run differently: " + name + " and " + model_name +
                  " differ in " + what + "; merge only the shards of one run");
    };
    std::string options = setting(shard.settings, kOptionsSetting).value_or("");
    std::string model_options = setting(model.settings, kOptionsSetting).value_or("");
    if (options != model_options) {
      differ("their options (shard_options '" + xml_unescape(options) + "' against '" +
             xml_unescape(model_options) + "')");
    }
    if (shard.settings.size() != model.settings.size()) differ("their recorded options");
    for (size_t i = 0; i < shard.settings.size(); ++i) {
      const Setting& a = shard.settings[i];
      const Setting& b = model.settings[i];
      if (a.name == kShardSetting && b.name == kShardSetting) continue;
      if (a.name != b.name || a.value != b.value) {
        differ("option '" + (a.name == b.name ? a.name : a.name + "'/'" + b.name) + "' ('" +
               xml_unescape(a.value) + "' against '" + xml_unescape(b.value) + "')");
      }
    }
    if (shard.source.has_value() != model.source.has_value() ||
        (shard.source && shard.source->lines != model.source->lines)) {
      differ("their input files (<source>)");
    }
  }
}

// Takes the shard's next fileobject, numbered; nullopt after its last one.
std::optional<std::pair<uint64_t, Block>> next_fileobject(ShardInput& shard) {
  const Block* next = shard.blocks->peek();
  if (next == nullptr || next->name != "fileobject") return std::nullopt;
  Block block = *shard.blocks->next();
  std::optional<std::string> seq_text = attribute_of(block.lines.front(), kSeqAttribute);
  uint64_t seq = seq_text ? std::strtoull(seq_text->c_str(), nullptr, 10) : 0;
  if (seq == 0 || seq <= shard.last_seq) {
    throw Error(shard.blocks->path() + ": a fileobject without a valid " + kSeqAttribute +
                " (the report was not written by a --shard run, or was edited)");
  }
  shard.last_seq = seq;
  ++shard.fileobjects;
  block.lines.front() = without_attribute(block.lines.front(), kSeqAttribute);
  return std::make_pair(seq, std::move(block));
}

class OutputFile {
 public:
  explicit OutputFile(std::string path) : path_(std::move(path)), temp_(path_ + ".merging") {
    file_ = std::fopen(temp_.c_str(), "we");
    if (!file_) throw Error("cannot create " + temp_ + ": " + std::strerror(errno));
  }
  ~OutputFile() {
    if (file_) std::fclose(file_);
    if (!committed_) std::remove(temp_.c_str());
  }
  void line(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), file_);
    std::fputc('\n', file_);
  }
  void lines(const std::vector<std::string>& text) {
    for (const std::string& l : text) line(l);
  }
  void commit() {
    bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
    ok = std::fclose(file_) == 0 && ok;
    file_ = nullptr;
    if (!ok) throw Error("cannot write " + temp_ + ": " + std::strerror(errno));
    if (std::rename(temp_.c_str(), path_.c_str()) != 0) {
      throw Error("cannot rename " + temp_ + " to " + path_ + ": " + std::strerror(errno));
    }
    committed_ = true;
  }

 private:
  std::string path_;
  std::string temp_;
  FILE* file_ = nullptr;
  bool committed_ = false;
};

// The metadata block without the per-shard setting.
std::vector<std::string> merged_metadata(const Block& metadata) {
  std::vector<std::string> lines;
  for (const std::string& line : metadata.lines) {
    if (line.find("<tcpflow:setting ") != std::string::npos &&
        attribute_of(line, "name").value_or("") == kShardSetting) {
      continue;
    }
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> execution_environment_of(const Block& creator) {
  std::vector<std::string> lines;
  bool inside = false;
  for (const std::string& line : creator.lines) {
    if (line.find("<execution_environment>") != std::string::npos) inside = true;
    if (inside) lines.push_back(line);
    if (line.find("</execution_environment>") != std::string::npos) break;
  }
  return lines;
}

uint64_t write_fileobjects(std::vector<ShardInput>& shards, OutputFile& out) {
  using Head = std::pair<uint64_t, size_t>;  // (seq, shard)
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads;
  std::vector<std::optional<Block>> pending(shards.size());
  auto refill = [&](size_t k) {
    if (auto next = next_fileobject(shards[k])) {
      heads.emplace(next->first, k);
      pending[k] = std::move(next->second);
    }
  };
  for (size_t k = 0; k < shards.size(); ++k) refill(k);
  uint64_t written = 0;
  uint64_t last_seq = 0;
  while (!heads.empty()) {
    auto [seq, k] = heads.top();
    heads.pop();
    if (seq == last_seq) {
      throw Error("two shards reported the same fileobject (sequence " + std::to_string(seq) +
                  "; " + base_name(shards[k].blocks->path()) + ")");
    }
    last_seq = seq;
    out.lines(pending[k]->lines);
    ++written;
    refill(k);
  }
  return written;
}

// A numbered entry after the fileobjects (a <tcpflow:connection>).
struct TailEntry {
  uint64_t seq;
  std::vector<std::string> lines;
};

ShardTail read_tail(ShardInput& shard, std::vector<TailEntry>& entries) {
  ShardTail tail;
  tail.report_name = base_name(shard.blocks->path());
  tail.execution_environment = execution_environment_of(shard.creator);
  tail.fileobjects = shard.fileobjects;
  while (std::optional<Block> block = shard.blocks->next()) {
    if (block->name == "rusage") {
      tail.rusage = std::move(block->lines);
    } else if (block->name == "tcpflow:summary") {
      tail.summary = std::move(block->lines);
    } else if (std::optional<std::string> seq =
                   attribute_of(block->lines.front(), kSeqAttribute)) {
      block->lines.front() = without_attribute(block->lines.front(), kSeqAttribute);
      entries.push_back({std::strtoull(seq->c_str(), nullptr, 10), std::move(block->lines)});
      ++tail.connection_records;
    } else {
      throw Error(shard.blocks->path() + ": unexpected <" + block->name + "> after the flows");
    }
  }
  if (tail.summary.empty()) throw Error(shard.blocks->path() + ": no <tcpflow:summary>");
  return tail;
}

}  // namespace

MergeResult merge_reports(const MergeRequest& request) {
  uint32_t count = 0;
  std::vector<std::string> paths = find_shard_files(request.report_path, &count);
  std::vector<ShardInput> shards;
  for (uint32_t k = 0; k < count; ++k) shards.push_back(open_shard(paths[k], k, count));
  check_same_run(shards);

  MergeResult result;
  result.shards = count;
  std::string jsonl_path = request.jsonl_path;
  if (jsonl_path.empty()) {
    jsonl_path = xml_unescape(setting(shards.front().settings, "jsonl").value_or(""));
  }

  OutputFile out(request.report_path);
  out.lines(shards.front().blocks->prologue());
  out.lines(merged_metadata(shards.front().metadata));
  out.lines(shards.front().creator.lines);
  if (shards.front().source) out.lines(shards.front().source->lines);
  result.fileobjects = write_fileobjects(shards, out);
  // Connection records: after <rusage>, in the single run's order. Held in
  // memory (a short element per connection), unlike the fileobjects.
  std::vector<ShardTail> tails;
  std::vector<TailEntry> entries;
  for (ShardInput& shard : shards) tails.push_back(read_tail(shard, entries));
  std::stable_sort(entries.begin(), entries.end(),
                   [](const TailEntry& a, const TailEntry& b) { return a.seq < b.seq; });
  out.lines(combined_rusage(tails));
  const uint64_t connection_records = entries.size();
  if (!entries.empty()) out.line("");  // the writer puts an empty line before them
  for (const TailEntry& entry : entries) out.lines(entry.lines);
  out.lines(combined_summary(tails, result.fileobjects));
  out.line("</dfxml>");
  out.line("");

  if (!jsonl_path.empty()) {
    // Flow and connection lines; a scanner's extra record lines are not counted.
    result.jsonl_lines = merge_jsonl(jsonl_path, count, result.fileobjects + connection_records);
    result.jsonl_path = jsonl_path;
  }
  out.commit();
  return result;
}

}  // namespace tcpflow::merge
