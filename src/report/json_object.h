// Builds one JSON object as text, member by member, for flows.jsonl. Every
// string value and key goes through escape_bytes() (see text_escape.h), so
// the line is valid UTF-8 JSON whatever bytes a file name holds.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reassembly/reassembly_types.h"

namespace tcpflow::report {

class JsonObject {
 public:
  JsonObject() : text_("{") {}

  void add(std::string_view key, std::string_view value);
  void add(std::string_view key, const char* value) { add(key, std::string_view(value)); }
  void add(std::string_view key, uint64_t value);
  void add_bool(std::string_view key, bool value);
  void add_null(std::string_view key);
  // `number` must already be a valid JSON number (e.g. epoch_decimal()).
  void add_number_text(std::string_view key, std::string_view number);
  void add_strings(std::string_view key, const std::vector<std::string>& values);
  // [[offset,length],...]
  void add_ranges(std::string_view key, const std::vector<reassembly::ByteRange>& ranges);

  // The finished object, without a trailing newline.
  std::string str() const { return text_ + "}"; }

 private:
  void key(std::string_view name);

  std::string text_;
  bool empty_ = true;
};

}  // namespace tcpflow::report
