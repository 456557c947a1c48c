#include "merge/summary_combiner.h"

#include <algorithm>
#include <iterator>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "report/xml_emitter.h"
#include "util/error.h"

namespace tcpflow::merge {
namespace {

// `line` moved `levels` nesting levels deeper.
std::string indented(const std::string& line, size_t levels) {
  return std::string(levels * report::kXmlIndent, ' ') + line;
}

std::string seconds_text(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", seconds);
  return buf;
}

double number_of(const std::optional<std::string>& text) {
  return text ? std::strtod(text->c_str(), nullptr) : 0;
}

uint64_t count_of(const std::optional<std::string>& text) {
  return text ? std::strtoull(text->c_str(), nullptr, 10) : 0;
}

// name -> value of every <tcpflow:counter> and <tcpflow:value> in a summary.
std::map<std::string, uint64_t> named_values(const std::vector<std::string>& summary) {
  std::map<std::string, uint64_t> values;
  for (size_t i = 1; i < summary.size(); ++i) {
    std::optional<std::string> name = attribute_of(summary[i], "name");
    if (name) values[*name] = count_of(attribute_of(summary[i], "value"));
  }
  return values;
}

// The element name of a leaf line ("    <utime>1.0</utime>" -> "utime").
std::string leaf_name(const std::string& line) {
  size_t open = line.find('<');
  size_t end = line.find('>', open);
  return open == std::string::npos || end == std::string::npos ? ""
                                                              : line.substr(open + 1, end - open - 1);
}

std::string replace_leaf_text(const std::string& line, const std::string& text) {
  size_t open_end = line.find('>');
  size_t close = line.rfind("</");
  return line.substr(0, open_end + 1) + text + line.substr(close);
}

// The statuses of a shard whose run read its inputs to the end, worst first
// (FORMAT.md): every shard sees the same inputs, so one truncated or failed
// input marks every shard, and the merged report takes the worst status.
// An interrupted or unfinished shard has not seen every packet: refused.
constexpr const char* kFinishedStatuses[] = {"inputs_failed", "output_failed", "truncated",
                                             "complete"};

size_t status_rank(const std::string& status) {
  for (size_t i = 0; i < std::size(kFinishedStatuses); ++i) {
    if (status == kFinishedStatuses[i]) return i;
  }
  return std::size(kFinishedStatuses);
}

void check_complete(const ShardTail& shard) {
  const std::string& first = shard.summary.empty() ? std::string() : shard.summary.front();
  std::string status = attribute_of(first, "status").value_or("missing");
  if (status_rank(status) == std::size(kFinishedStatuses)) {
    throw Error(shard.report_name + ": the shard's run did not complete (its summary says \"" +
                status + "\"); run that shard again before merging");
  }
}

std::vector<std::string> shard_element(const ShardTail& shard, size_t index) {
  const std::string& first = shard.summary.front();
  // Inside the summary: two levels deep, its content three.
  std::string open = indented("<tcpflow:shard index=\"", 2) + std::to_string(index) +
                     "\" report=\"" + shard.report_name + "\"";
  for (const char* name : {"status", "stop_reason", "elapsed_seconds"}) {
    if (std::optional<std::string> value = attribute_of(first, name)) {
      open += std::string(" ") + name + "=\"" + *value + "\"";
    }
  }
  open += " fileobjects=\"" + std::to_string(shard.fileobjects) + "\">";
  std::vector<std::string> lines{open};
  // <execution_environment> was two levels deep (in <creator>), <rusage> one.
  for (const std::string& line : shard.execution_environment) lines.push_back(indented(line, 1));
  for (const std::string& line : shard.rusage) lines.push_back(indented(line, 2));
  lines.push_back(indented("</tcpflow:shard>", 2));
  return lines;
}

}  // namespace

bool summed_across_shards(std::string_view name) {
  static constexpr std::string_view kSummed[] = {
      "flow_files_written", "write_errors",        "tcp_cmd_runs",       "tcp_cmd_failures",
      "python_errors",      "http_messages",       "http_body_files",    "http_malformed_flows",
      "http_decompress_failed", "http_bodies_capped", "peak_open_files", "fd_cache_evictions",
      // A direction's reassembly facts: counted by the shard that keeps it.
      "duplicate_bytes", "overlap_conflicts", "overlap_conflict_bytes",
      "tcp_checksum_bad_replaced", "segments_before_start", "bytes_capped",
      "out_of_order_spills", "stream_shifts", "gaps", "gap_bytes",
  };
  return std::find(std::begin(kSummed), std::end(kSummed), name) != std::end(kSummed);
}

std::vector<std::string> combined_rusage(const std::vector<ShardTail>& shards) {
  const ShardTail* model = nullptr;
  for (const ShardTail& shard : shards) {
    if (!shard.rusage.empty()) {
      model = &shard;
      break;
    }
  }
  if (model == nullptr) return {};
  std::vector<std::string> lines{model->rusage.front()};
  for (size_t i = 1; i + 1 < model->rusage.size(); ++i) {
    const std::string name = leaf_name(model->rusage[i]);
    bool largest = name == "maxrss" || name == "clocktime";
    bool fractional = name == "utime" || name == "stime" || name == "clocktime";
    double total = 0;
    for (const ShardTail& shard : shards) {
      for (const std::string& line : shard.rusage) {
        if (leaf_name(line) != name) continue;
        double value = std::strtod(leaf_text(line).c_str(), nullptr);
        total = largest ? std::max(total, value) : total + value;
      }
    }
    std::string text = fractional ? seconds_text(total)
                                  : std::to_string(static_cast<unsigned long long>(total));
    lines.push_back(replace_leaf_text(model->rusage[i], text));
  }
  lines.push_back(model->rusage.back());
  return lines;
}

std::vector<std::string> combined_summary(const std::vector<ShardTail>& shards,
                                          uint64_t fileobjects) {
  uint64_t connection_records = 0;
  for (const ShardTail& shard : shards) connection_records += shard.connection_records;
  for (const ShardTail& shard : shards) check_complete(shard);
  const std::vector<std::string>& model = shards.front().summary;
  for (const char* input_fact : {"packets_read", "bytes_read"}) {
    std::string first = attribute_of(model.front(), input_fact).value_or("");
    for (const ShardTail& shard : shards) {
      std::string here = attribute_of(shard.summary.front(), input_fact).value_or("");
      if (here != first) {
        throw Error("shards read different input: " + std::string(input_fact) + " is " + first +
                    " in " + shards.front().report_name + " but " + here + " in " +
                    shard.report_name);
      }
    }
  }
  std::string stop_reason = "end_of_input";
  double elapsed = 0;
  for (const ShardTail& shard : shards) {
    std::string reason = attribute_of(shard.summary.front(), "stop_reason").value_or("");
    if (!reason.empty() && reason != "end_of_input" && stop_reason == "end_of_input") {
      stop_reason = reason;
    }
    elapsed = std::max(elapsed, number_of(attribute_of(shard.summary.front(), "elapsed_seconds")));
  }
  std::string first = model.front();
  std::string worst = "complete";
  for (const ShardTail& shard : shards) {
    std::string status = attribute_of(shard.summary.front(), "status").value_or("complete");
    if (status_rank(status) < status_rank(worst)) worst = status;
  }
  first = with_attribute(first, "status", worst);
  if (attribute_of(first, "stop_reason")) first = with_attribute(first, "stop_reason", stop_reason);
  first = with_attribute(first, "fileobjects", std::to_string(fileobjects));
  first = with_attribute(first, "connection_records", std::to_string(connection_records));
  first = with_attribute(first, "elapsed_seconds", seconds_text(elapsed));
  first.insert(first.size() - 1, " shards=\"" + std::to_string(shards.size()) + "\"");

  std::vector<std::map<std::string, uint64_t>> values;
  for (const ShardTail& shard : shards) values.push_back(named_values(shard.summary));
  std::vector<std::string> lines{first};
  for (size_t i = 1; i + 1 < model.size(); ++i) {
    const std::string& line = model[i];
    std::optional<std::string> name = attribute_of(line, "name");
    bool counted = line.find("<tcpflow:counter ") != std::string::npos ||
                   line.find("<tcpflow:value ") != std::string::npos;
    if (!counted || !name || !summed_across_shards(*name)) {
      lines.push_back(line);
      continue;
    }
    uint64_t total = 0;
    for (const auto& shard_values : values) {
      auto it = shard_values.find(*name);
      if (it != shard_values.end()) total += it->second;
    }
    lines.push_back(with_attribute(line, "value", std::to_string(total)));
  }
  for (size_t k = 0; k < shards.size(); ++k) {
    std::vector<std::string> element = shard_element(shards[k], k);
    lines.insert(lines.end(), element.begin(), element.end());
  }
  lines.push_back(model.back());
  return lines;
}

}  // namespace tcpflow::merge
