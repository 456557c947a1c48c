// A thin layer over tinyxml2::XMLPrinter streaming to a FILE* (buffered:
// see flush()). Every string
// goes through escape_bytes() first, because tinyxml2 escapes markup
// characters but passes control characters and invalid UTF-8 straight
// through, which would make the document ill-formed.
#pragma once
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "report/text_escape.h"
#include "util/timestamp.h"

namespace tcpflow::report {

class BufferedXmlPrinter;

// Spaces per nesting level. Two rather than tinyxml2's four: indentation is
// a tenth of a short flow's fileobject. src/merge reads the layout back.
inline constexpr size_t kXmlIndent = 2;

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
  // A time as ISO 8601 UTC (iso8601_utc), formatted in a reused buffer: a
  // report writes four per connection.
  void attribute(std::string_view name, const Timestamp& time);
  void text(std::string_view value, EscapeMode mode = EscapeMode::kName);
  void close();
  // <name>text</name>
  void leaf(std::string_view name, std::string_view value);
  void leaf(std::string_view name, uint64_t value);
  void leaf(std::string_view name, const Timestamp& time);
  // Closes every element still open (used to end the document early).
  void close_all();
  size_t depth() const { return names_.size(); }
  // Text is held back until flush() (or destruction) writes it to the FILE.
  void flush();
  // Bytes held back so far.
  size_t pending() const;

 private:
  std::unique_ptr<BufferedXmlPrinter> printer_;
  // XMLPrinter keeps the const char* given to OpenElement until the matching
  // CloseElement; a deque never moves its elements, so these stay valid.
  std::deque<std::string> names_;
  std::string name_scratch_;
  std::string value_scratch_;
  std::string time_scratch_;
};

}  // namespace tcpflow::report
