#include "scanners/http_record.h"

#include <string_view>

#include "report/json_object.h"

namespace tcpflow::scanners {

namespace {

bool is_numeric_attribute(std::string_view name) {
  for (std::string_view numeric :
       {"offset", "status", "url_length", "body_offset", "body_length", "body_size"}) {
    if (name == numeric) return true;
  }
  return false;
}

// A JSON number: digits without a leading zero, small enough for any reader.
bool json_integer(std::string_view value) {
  if (value.empty() || value.size() > 15 || (value[0] == '0' && value.size() > 1)) return false;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string http_json_record(const flow::FlowInfo& info, const report::XmlChild& message) {
  report::JsonObject json;
  json.add("record", "http");
  json.add("connection_id", info.connection_id);
  json.add("flow_id", info.flow_id);
  json.add("filename", info.filename);
  for (const auto& [name, value] : message.attributes) {
    if (is_numeric_attribute(name) && json_integer(value)) {
      json.add_number_text(name, value);
    } else {
      json.add(name, value);
    }
  }
  return json.str();
}

}  // namespace tcpflow::scanners
