#include "merge/report_blocks.h"

#include "report/xml_emitter.h"
#include "util/error.h"

namespace tcpflow::merge {
namespace {

// One level of the writer's indentation: where top-level blocks start.
constexpr std::string_view kTopIndent = std::string_view("        ").substr(0, report::kXmlIndent);

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The element name of an opening tag line "  <name ...>" at the top level
// (the connection records are copied from a spool without indentation).
std::optional<std::string> top_level_name(std::string_view line) {
  size_t at = starts_with(line, kTopIndent) ? kTopIndent.size() : 0;
  if (line.size() < at + 2 || line[at] != '<' || line[at + 1] == '/') return std::nullopt;
  size_t end = line.find_first_of(" />", at + 1);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(line.substr(at + 1, end - at - 1));
}

}  // namespace

ReportBlocks::ReportBlocks(std::string path) : path_(std::move(path)), in_(path_) {
  if (!in_) throw Error("cannot read shard report " + path_);
  std::string line;
  for (int i = 0; i < 2 && std::getline(in_, line); ++i) prologue_.push_back(line);
  if (prologue_.size() != 2 || !starts_with(prologue_[0], "<?xml") ||
      !starts_with(prologue_[1], "<dfxml ")) {
    throw Error(path_ + ": not a report written by tcpflow (no DFXML header)");
  }
}

std::optional<Block> ReportBlocks::read_block() {
  if (ended_) return std::nullopt;
  std::string line;
  do {  // the writer leaves an empty line before the connection records
    if (!std::getline(in_, line)) {
      throw Error(path_ + ": the report ends before </dfxml> (did that run finish?)");
    }
  } while (line.empty());
  if (line == "</dfxml>") {
    ended_ = true;
    return std::nullopt;
  }
  std::optional<std::string> name = top_level_name(line);
  if (!name) throw Error(path_ + ": unexpected line in a tcpflow report: " + line.substr(0, 80));
  Block block;
  block.name = *name;
  bool single_line = line.size() >= 2 && line.compare(line.size() - 2, 2, "/>") == 0;
  block.lines.push_back(std::move(line));
  if (single_line) return block;
  const std::string indent = starts_with(block.lines.front(), kTopIndent) ? std::string(kTopIndent)
                                                                          : std::string();
  const std::string closing = indent + "</" + block.name + ">";
  while (std::getline(in_, line)) {
    bool done = line == closing;
    block.lines.push_back(std::move(line));
    if (done) return block;
  }
  throw Error(path_ + ": the report ends inside <" + block.name + "> (did that run finish?)");
}

std::optional<Block> ReportBlocks::next() {
  if (has_peeked_) {
    has_peeked_ = false;
    return std::move(peeked_);
  }
  return read_block();
}

const Block* ReportBlocks::peek() {
  if (!has_peeked_) {
    peeked_ = read_block();
    has_peeked_ = true;
  }
  return peeked_ ? &*peeked_ : nullptr;
}

std::optional<std::string> attribute_of(std::string_view line, std::string_view name) {
  std::string needle = " " + std::string(name) + "=\"";
  size_t start = line.find(needle);
  if (start == std::string_view::npos) return std::nullopt;
  start += needle.size();
  size_t end = line.find('"', start);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(line.substr(start, end - start));
}

std::string without_attribute(std::string_view line, std::string_view name) {
  std::string needle = " " + std::string(name) + "=\"";
  size_t start = line.find(needle);
  if (start == std::string_view::npos) return std::string(line);
  size_t end = line.find('"', start + needle.size());
  if (end == std::string_view::npos) return std::string(line);
  return std::string(line.substr(0, start)) + std::string(line.substr(end + 1));
}

std::string with_attribute(std::string_view line, std::string_view name, std::string_view value) {
  std::string needle = " " + std::string(name) + "=\"";
  size_t start = line.find(needle);
  if (start == std::string_view::npos) return std::string(line);
  start += needle.size();
  size_t end = line.find('"', start);
  return std::string(line.substr(0, start)) + std::string(value) + std::string(line.substr(end));
}

std::string leaf_text(std::string_view line) {
  size_t open_end = line.find('>');
  size_t close = line.rfind("</");
  if (open_end == std::string_view::npos || close == std::string_view::npos || close < open_end) {
    return "";
  }
  return std::string(line.substr(open_end + 1, close - open_end - 1));
}

std::string xml_unescape(std::string_view text) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    bool replaced = false;
    if (text[i] == '&') {
      for (const auto& [entity, ch] : kEntities) {
        if (text.substr(i, entity.size()) == entity) {
          out += ch;
          i += entity.size() - 1;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i];
  }
  return out;
}

}  // namespace tcpflow::merge
