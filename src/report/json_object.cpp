#include "report/json_object.h"

#include "report/text_escape.h"

namespace tcpflow::report {

void JsonObject::key(std::string_view name) {
  if (!empty_) text_ += ',';
  empty_ = false;
  append_json_string(text_, escape_bytes(name));
  text_ += ':';
}

void JsonObject::add(std::string_view name, std::string_view value) {
  key(name);
  append_json_string(text_, escape_bytes(value));
}

void JsonObject::add(std::string_view name, uint64_t value) {
  key(name);
  text_ += std::to_string(value);
}

void JsonObject::add_bool(std::string_view name, bool value) {
  key(name);
  text_ += value ? "true" : "false";
}

void JsonObject::add_null(std::string_view name) {
  key(name);
  text_ += "null";
}

void JsonObject::add_number_text(std::string_view name, std::string_view number) {
  key(name);
  text_ += number;
}

void JsonObject::add_strings(std::string_view name, const std::vector<std::string>& values) {
  key(name);
  text_ += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text_ += ',';
    append_json_string(text_, escape_bytes(values[i]));
  }
  text_ += ']';
}

void JsonObject::add_ranges(std::string_view name,
                            const std::vector<reassembly::ByteRange>& ranges) {
  key(name);
  text_ += '[';
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0) text_ += ',';
    text_ += '[' + std::to_string(ranges[i].offset) + ',' + std::to_string(ranges[i].length) + ']';
  }
  text_ += ']';
}

}  // namespace tcpflow::report
