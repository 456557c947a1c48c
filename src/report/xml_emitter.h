// Writes report.xml's text straight into a buffer that flush() hands to a
// FILE* in one fwrite. Every string goes through escape_bytes() first, so
// control characters and invalid UTF-8 cannot make the document ill-formed,
// then gets XML's entities. The layout is tinyxml2::XMLPrinter's (a newline
// and indentation before each element, none inside text, a newline after
// each top-level element): the files written before did not change, and
// src/merge reads that layout back. XMLPrinter itself cost a virtual call
// per quote, name and value, about a third of the report's time on a run
// of short flows.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "report/text_escape.h"
#include "util/timestamp.h"

namespace tcpflow::report {

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
  size_t depth() const { return depth_; }
  // Text is held back until flush() (or destruction) writes it to the FILE.
  void flush();
  // Bytes held back so far.
  size_t pending() const;

 private:
  // Ends the start tag of the element just opened, before its content.
  void seal();
  // The line break and indentation before a new element, as XMLPrinter's.
  void start_node();
  // `escaped` with XML's entities; `in_text`: only &, < and > (quotes are
  // plain in text).
  void append_entities(std::string_view escaped, bool in_text);
  // An attribute whose value needs neither escape_bytes() nor an entity
  // (numbers, times, and plain printable text: see is_plain()).
  void plain_attribute(std::string_view name, std::string_view value);
  // Text needing no escape, as plain_attribute().
  void plain_text(std::string_view value);

  FILE* file_;
  std::string buffer_;
  // The open elements' names, innermost at depth_ - 1. Entries beyond are
  // kept for their memory: "tcpflow:connection" is too long for a string's
  // own storage, and a report opens one per connection.
  std::vector<std::string> names_;
  size_t depth_ = 0;
  std::string value_scratch_;
  std::string time_scratch_;
  // The depth of the element whose text was written (no line breaks inside
  // it), or -1.
  long text_depth_ = -1;
  bool just_opened_ = false;
  bool first_node_ = true;
};

}  // namespace tcpflow::report
