#include "merge/shard_files.h"

#include <dirent.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "util/error.h"

namespace tcpflow::merge {
namespace {

struct SplitPath {
  std::string directory;  // with its trailing '/', or empty
  std::string stem;       // last component up to its extension
  std::string extension;  // ".xml", or empty
};

SplitPath split(const std::string& path) {
  SplitPath parts;
  size_t slash = path.find_last_of('/');
  std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  parts.directory = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  size_t dot = leaf.find_last_of('.');
  if (dot == std::string::npos || dot == 0) {
    parts.stem = leaf;
  } else {
    parts.stem = leaf.substr(0, dot);
    parts.extension = leaf.substr(dot);
  }
  return parts;
}

// "K-of-N" at the start of `text`, all of it; false otherwise.
bool parse_label(const std::string& text, uint32_t& index, uint32_t& count) {
  std::string error;
  size_t of = text.find("-of-");
  if (of == std::string::npos) return false;
  std::string slashed = text.substr(0, of) + "/" + text.substr(of + 4);
  std::optional<flow::ShardSpec> spec = flow::parse_shard_spec(slashed, error);
  if (!spec || spec->label() != text) return false;  // no leading zeros or signs
  index = spec->index;
  count = spec->count;
  return true;
}

}  // namespace

std::string shard_path(const std::string& path, const flow::ShardSpec& spec) {
  SplitPath parts = split(path);
  return parts.directory + parts.stem + ".shard-" + spec.label() + parts.extension;
}

std::vector<std::string> shard_paths(const std::string& path, uint32_t count) {
  std::vector<std::string> paths;
  for (uint32_t k = 0; k < count; ++k) paths.push_back(shard_path(path, flow::ShardSpec{k, count}));
  return paths;
}

std::vector<std::string> find_shard_files(const std::string& path, uint32_t* count_out) {
  SplitPath parts = split(path);
  std::string directory = parts.directory.empty() ? "." : parts.directory;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory.c_str()), ::closedir);
  if (!dir) throw Error("cannot read " + directory + ": " + std::strerror(errno));
  const std::string prefix = parts.stem + ".shard-";
  std::map<uint32_t, std::set<uint32_t>> found;  // N -> the K present
  while (dirent* entry = ::readdir(dir.get())) {
    std::string name = entry->d_name;
    if (name.size() <= prefix.size() + parts.extension.size()) continue;
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    if (name.compare(name.size() - parts.extension.size(), std::string::npos, parts.extension)) {
      continue;
    }
    std::string label = name.substr(prefix.size(),
                                    name.size() - prefix.size() - parts.extension.size());
    uint32_t index = 0;
    uint32_t count = 0;
    if (parse_label(label, index, count)) found[count].insert(index);
  }
  const std::string pattern = parts.directory + prefix + "K-of-N" + parts.extension;
  if (found.empty()) throw Error("no shard reports " + pattern + " found");
  if (found.size() > 1) {
    std::string counts;
    for (const auto& [count, indices] : found) {
      counts += (counts.empty() ? "" : ", ") + std::to_string(indices.size()) + " of N=" +
                std::to_string(count);
    }
    throw Error("shard reports " + pattern + " of different shard counts side by side (" +
                counts + "); merge one run at a time");
  }
  uint32_t count = found.begin()->first;
  const std::set<uint32_t>& present = found.begin()->second;
  std::vector<std::string> paths = shard_paths(path, count);
  std::string missing;
  for (uint32_t k = 0; k < count; ++k) {
    if (!present.count(k)) missing += (missing.empty() ? "" : ", ") + paths[k];
  }
  if (!missing.empty()) {
    throw Error("cannot merge: " + std::to_string(count - present.size()) + " of " +
                std::to_string(count) + " shard reports missing: " + missing);
  }
  if (count_out) *count_out = count;
  return paths;
}

}  // namespace tcpflow::merge
