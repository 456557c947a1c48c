// Writes indented XML to a FILE*, in the layout tinyxml2::XMLPrinter uses
// (four spaces per level, empty elements as <x/>, text inline), so reports
// stay byte-for-byte what earlier versions wrote; a unit test compares the
// two. It is our own because XMLPrinter formats every name, attribute and
// indent through vsnprintf, and with a million short flows the report was a
// third of the packet thread's time. Every string goes through
// append_escaped() first: markup characters become entities, and control
// characters and invalid UTF-8 become \xNN, which XMLPrinter would have
// passed through into an ill-formed document.
#pragma once
#include <cstdint>
#include <cstdio>
#include <vector>
#include <string>
#include <string_view>

#include "report/text_escape.h"

namespace tcpflow::report {

class XmlEmitter {
 public:
  explicit XmlEmitter(FILE* file);
  ~XmlEmitter();
  XmlEmitter(const XmlEmitter&) = delete;
  XmlEmitter& operator=(const XmlEmitter&) = delete;

  void declaration();
  // Names are written as given: callers pass literals or sanitize_xml_name().
  void open(std::string_view name);
  // Attributes must follow open() directly, before any text or child.
  void attribute(std::string_view name, std::string_view value);
  void attribute(std::string_view name, uint64_t value);
  void text(std::string_view value, EscapeMode mode = EscapeMode::kName);
  void close();
  // <name>text</name>
  void leaf(std::string_view name, std::string_view value);
  void leaf(std::string_view name, uint64_t value);
  // Closes every element still open (used to end the document early).
  void close_all();
  size_t depth() const { return depth_; }
  // Text is held back until flush() (or destruction) writes it to the FILE.
  void flush();

 private:
  void finish_start_tag();
  void new_line(size_t depth);
  // raw escaped by append_escaped(), then & < > (and in attributes " ') as entities.
  void append_value(std::string_view raw, EscapeMode mode, bool in_attribute);

  FILE* file_;
  std::string out_;
  std::vector<std::string> names_;  // [0, depth_) are open; kept to reuse their capacity
  size_t depth_ = 0;
  // Depth of the element whose text was written last: until it closes, its
  // children and end tag follow on the same line, as the text did.
  long text_depth_ = -1;
  bool start_tag_open_ = false;  // "<name attrs" written, '>' not yet
  bool first_node_ = true;
  std::string escape_scratch_;
};

}  // namespace tcpflow::report
