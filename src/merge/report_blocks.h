// Reads a report.xml written by tcpflow as a sequence of top-level blocks
// (<metadata>, <creator>, <source>, each <fileobject>, <rusage>,
// <tcpflow:summary>), one at a time, keeping their lines as written. It
// relies on the layout our writer produces (tinyxml2's printer: one element
// per line, report::kXmlIndent spaces per level) rather than parsing XML: a
// block ends at the line that closes it at its own indentation, and text can never
// contain such a line because '<' in text is always escaped. That keeps the
// merge byte-exact and its memory at one block per shard.
#pragma once
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcpflow::merge {

struct Block {
  std::string name;                // element name, e.g. "fileobject", "tcpflow:summary"
  std::vector<std::string> lines;  // every line, the first one opening the element
};

class ReportBlocks {
 public:
  // Opens `path` and reads the XML declaration and the <dfxml> line.
  // Throws tcpflow::Error when it cannot, or when the file is no tcpflow report.
  explicit ReportBlocks(std::string path);

  // The next block, or nullopt at </dfxml>. Throws tcpflow::Error when the
  // file ends without closing the document (a run that was killed).
  std::optional<Block> next();
  // The block next() would return, without taking it.
  const Block* peek();

  const std::string& path() const { return path_; }
  const std::vector<std::string>& prologue() const { return prologue_; }

 private:
  std::optional<Block> read_block();

  std::string path_;
  std::ifstream in_;
  std::vector<std::string> prologue_;  // <?xml ...?> and <dfxml ...>
  std::optional<Block> peeked_;
  bool has_peeked_ = false;
  bool ended_ = false;
};

// The value of attribute `name` on `line` (still XML-escaped), if present.
std::optional<std::string> attribute_of(std::string_view line, std::string_view name);

// `line` with attribute `name` (and the space before it) removed.
std::string without_attribute(std::string_view line, std::string_view name);

// `line` with the value of attribute `name` replaced (it must be present).
std::string with_attribute(std::string_view line, std::string_view name, std::string_view value);

// The text between the tags of a one-line leaf element ("<utime>1.5</utime>").
std::string leaf_text(std::string_view line);

// Undoes XML's five entities (what tinyxml2 writes in attribute values).
std::string xml_unescape(std::string_view text);

}  // namespace tcpflow::merge
