// Turns arbitrary bytes (file names, paths, scanner output) into text that is
// both valid UTF-8 and legal XML 1.0 / JSON, without losing information.
//
// The rule, shared by report.xml and flows.jsonl:
//   * well-formed UTF-8 is copied unchanged (except U+FFFE and U+FFFF, which
//     XML forbids);
//   * a backslash is written as two backslashes;
//   * every other byte - invalid or truncated UTF-8, C0 control characters,
//     DEL - is written as \xNN (two lower-case hex digits).
// Doubling the backslash makes the rule reversible: a reader turns "\\" back
// into one backslash and "\xNN" into the byte 0xNN and gets the original
// bytes (python/tcpflow_report.py does exactly that).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace tcpflow::report {

enum class EscapeMode : uint8_t {
  kName,  // names and values: every control character is escaped
  kText,  // free text (scanner output): tab and line feed are kept as-is
};

std::string escape_bytes(std::string_view raw, EscapeMode mode = EscapeMode::kName);
// The same, appended to `out` (no allocation once `out` has room).
void append_escaped(std::string& out, std::string_view raw, EscapeMode mode = EscapeMode::kName);

// An XML element or attribute name built only from [A-Za-z0-9_.-] (and one
// ':' between a prefix and a local name). Anything else becomes '_', and a
// name that does not start with a letter or '_' gets a leading '_'. Names come
// from scanners, so a bad one must not break the document.
std::string sanitize_xml_name(std::string_view name);

// Appends `text` as a quoted JSON string. `text` must already be valid UTF-8
// (the output of escape_bytes); quotes, backslashes and any control
// characters left are escaped the JSON way.
void append_json_string(std::string& out, std::string_view text);

}  // namespace tcpflow::report
