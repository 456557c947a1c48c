#include "merge/jsonl_merger.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <queue>
#include <vector>

#include "merge/shard_files.h"
#include "util/error.h"

namespace tcpflow::merge {
namespace {

constexpr char kSeqPrefix[] = "{\"shard_seq\":";

struct ShardLines {
  std::string path;
  std::ifstream in;
  std::string line;  // the current line, its sequence member removed
  uint64_t seq = 0;
};

// Reads the shard's next line; false at its end.
bool advance(ShardLines& shard) {
  std::string raw;
  if (!std::getline(shard.in, raw)) return false;
  constexpr size_t kPrefix = sizeof kSeqPrefix - 1;
  size_t comma = raw.find(',', kPrefix);
  if (raw.compare(0, kPrefix, kSeqPrefix) != 0 || comma == std::string::npos) {
    throw Error(shard.path + ": a line without its shard_seq member (not written by a --shard run)");
  }
  uint64_t seq = std::strtoull(raw.c_str() + kPrefix, nullptr, 10);
  // A flow's scanner records share its number and follow it.
  if (seq < shard.seq) throw Error(shard.path + ": shard_seq values out of order");
  shard.seq = seq;
  shard.line = "{" + raw.substr(comma + 1);
  return true;
}

}  // namespace

uint64_t merge_jsonl(const std::string& path, uint32_t count, uint64_t expected_lines) {
  std::vector<ShardLines> shards(count);
  std::vector<std::string> paths = shard_paths(path, count);
  using Head = std::pair<uint64_t, size_t>;
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads;
  for (uint32_t k = 0; k < count; ++k) {
    shards[k].path = paths[k];
    shards[k].in.open(paths[k]);
    if (!shards[k].in) {
      throw Error("cannot merge the JSON Lines index: cannot read " + paths[k] + ": " +
                  std::strerror(errno));
    }
    if (advance(shards[k])) heads.emplace(shards[k].seq, k);
  }
  const std::string temp = path + ".merging";
  FILE* out = std::fopen(temp.c_str(), "we");
  if (!out) throw Error("cannot create " + temp + ": " + std::strerror(errno));
  uint64_t written = 0;
  try {
    while (!heads.empty()) {
      size_t k = heads.top().second;
      heads.pop();
      std::fwrite(shards[k].line.data(), 1, shards[k].line.size(), out);
      std::fputc('\n', out);
      ++written;
      if (advance(shards[k])) heads.emplace(shards[k].seq, k);
    }
    if (written < expected_lines) {  // scanners may add record lines of their own
      throw Error("the shards' " + path + " files hold " + std::to_string(written) +
                  " flows but their reports " + std::to_string(expected_lines));
    }
    bool ok = std::fflush(out) == 0 && !std::ferror(out);
    if (std::fclose(out) != 0 || !ok) {
      out = nullptr;
      throw Error("cannot write " + temp + ": " + std::strerror(errno));
    }
    out = nullptr;
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
      throw Error("cannot rename " + temp + " to " + path + ": " + std::strerror(errno));
    }
  } catch (...) {
    if (out) std::fclose(out);
    std::remove(temp.c_str());
    throw;
  }
  return written;
}

}  // namespace tcpflow::merge
