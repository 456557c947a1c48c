#include "report/xml_emitter.h"

#include <charconv>

namespace tcpflow::report {
namespace {

constexpr std::string_view kIndent = "    ";

bool needs_entity(unsigned char c, bool in_attribute) {
  return c == '&' || c == '<' || c == '>' || (in_attribute && (c == '"' || c == '\''));
}

void append_entities(std::string& out, std::string_view text, bool in_attribute) {
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += in_attribute ? "&quot;" : "\""; break;
      case '\'': out += in_attribute ? "&apos;" : "'"; break;
      default: out += ch;
    }
  }
}

}  // namespace

XmlEmitter::XmlEmitter(FILE* file) : file_(file) {}

XmlEmitter::~XmlEmitter() { flush(); }

void XmlEmitter::flush() {
  if (!out_.empty()) std::fwrite(out_.data(), 1, out_.size(), file_);
  out_.clear();
}

void XmlEmitter::finish_start_tag() {
  if (!start_tag_open_) return;
  start_tag_open_ = false;
  out_ += '>';
}

void XmlEmitter::new_line(size_t depth) {
  out_ += '\n';
  for (size_t i = 0; i < depth; ++i) out_ += kIndent;
}

void XmlEmitter::append_value(std::string_view raw, EscapeMode mode, bool in_attribute) {
  // Addresses, numbers, times and plain names need no escape at all.
  bool plain = true;
  for (char ch : raw) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '\\' || needs_entity(c, in_attribute)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    out_ += raw;
    return;
  }
  escape_scratch_.clear();
  append_escaped(escape_scratch_, raw, mode);
  append_entities(out_, escape_scratch_, in_attribute);
}

void XmlEmitter::declaration() {
  finish_start_tag();
  if (!first_node_ && text_depth_ < 0) new_line(depth_);
  if (first_node_) {
    for (size_t i = 0; i < depth_; ++i) out_ += kIndent;
  }
  first_node_ = false;
  out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
}

void XmlEmitter::open(std::string_view name) {
  finish_start_tag();
  if (depth_ == names_.size()) names_.emplace_back();
  names_[depth_].assign(name);
  if (text_depth_ < 0 && !first_node_) new_line(depth_);
  out_ += '<';
  out_ += name;
  start_tag_open_ = true;
  first_node_ = false;
  ++depth_;
}

void XmlEmitter::attribute(std::string_view name, std::string_view value) {
  out_ += ' ';
  out_ += name;
  out_ += "=\"";
  append_value(value, EscapeMode::kName, /*in_attribute=*/true);
  out_ += '"';
}

void XmlEmitter::attribute(std::string_view name, uint64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  attribute(name, std::string_view(digits, static_cast<size_t>(end - digits)));
}

void XmlEmitter::text(std::string_view value, EscapeMode mode) {
  text_depth_ = static_cast<long>(depth_) - 1;
  finish_start_tag();
  append_value(value, mode, /*in_attribute=*/false);
}

void XmlEmitter::close() {
  if (depth_ == 0) return;
  --depth_;
  if (start_tag_open_) {
    out_ += "/>";
  } else {
    if (text_depth_ < 0) new_line(depth_);
    out_ += "</";
    out_ += names_[depth_];
    out_ += '>';
  }
  if (text_depth_ == static_cast<long>(depth_)) text_depth_ = -1;
  if (depth_ == 0) out_ += '\n';
  start_tag_open_ = false;
}

void XmlEmitter::leaf(std::string_view name, std::string_view value) {
  open(name);
  text(value);
  close();
}

void XmlEmitter::leaf(std::string_view name, uint64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  leaf(name, std::string_view(digits, static_cast<size_t>(end - digits)));
}

void XmlEmitter::close_all() {
  while (depth_ > 0) close();
}

}  // namespace tcpflow::report
