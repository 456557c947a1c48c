#include "report/xml_emitter.h"

#include <array>
#include <charconv>

#include "report/flow_format.h"

namespace tcpflow::report {

XmlEmitter::XmlEmitter(FILE* file) : file_(file) {}

XmlEmitter::~XmlEmitter() { flush(); }

void XmlEmitter::flush() {
  if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
  buffer_.clear();
}

size_t XmlEmitter::pending() const { return buffer_.size(); }

void XmlEmitter::seal() {
  if (!just_opened_) return;
  just_opened_ = false;
  buffer_ += '>';
}

void XmlEmitter::start_node() {
  seal();
  if (first_node_) {
    buffer_.append(depth_ * kXmlIndent, ' ');
  } else if (text_depth_ < 0) {
    buffer_ += '\n';
    buffer_.append(depth_ * kXmlIndent, ' ');
  }
  first_node_ = false;
}

void XmlEmitter::append_entities(std::string_view escaped, bool in_text) {
  size_t run = 0;  // start of the bytes not yet appended
  for (size_t i = 0; i < escaped.size(); ++i) {
    std::string_view entity;
    switch (escaped[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"':
        if (!in_text) entity = "&quot;";
        break;
      case '\'':
        if (!in_text) entity = "&apos;";
        break;
      default: break;
    }
    if (entity.empty()) continue;
    buffer_.append(escaped.substr(run, i - run));
    buffer_.append(entity);
    run = i + 1;
  }
  buffer_.append(escaped.substr(run));
}

namespace {

// Whether `value` comes out of escape_bytes() and the entities unchanged:
// printable ASCII other than the backslash and XML's five specials. Almost
// every value in a report is (addresses, names, counts), and taking it as it
// is skips two copying passes.
constexpr std::array<bool, 256> plain_bytes() {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x7F; ++c) plain[static_cast<size_t>(c)] = true;
  for (unsigned char c : {'\\', '&', '<', '>', '"', '\''}) plain[c] = false;
  return plain;
}

bool is_plain(std::string_view value) {
  static constexpr std::array<bool, 256> kPlain = plain_bytes();
  for (char ch : value) {
    if (!kPlain[static_cast<unsigned char>(ch)]) return false;
  }
  return true;
}

}  // namespace

void XmlEmitter::declaration() {
  start_node();
  buffer_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
}

void XmlEmitter::open(std::string_view name) {
  start_node();
  if (names_.size() == depth_) names_.emplace_back();
  names_[depth_].assign(name);
  ++depth_;
  buffer_ += '<';
  buffer_.append(name);
  just_opened_ = true;
}

void XmlEmitter::plain_attribute(std::string_view name, std::string_view value) {
  buffer_ += ' ';
  buffer_.append(name);
  buffer_ += "=\"";
  buffer_.append(value);
  buffer_ += '"';
}

void XmlEmitter::attribute(std::string_view name, std::string_view value) {
  if (is_plain(value)) {
    plain_attribute(name, value);
    return;
  }
  buffer_ += ' ';
  buffer_.append(name);
  buffer_ += "=\"";
  value_scratch_.clear();
  append_escaped(value_scratch_, value);
  append_entities(value_scratch_, /*in_text=*/false);
  buffer_ += '"';
}

void XmlEmitter::attribute(std::string_view name, uint64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  plain_attribute(name, std::string_view(digits, static_cast<size_t>(end - digits)));
}

void XmlEmitter::attribute(std::string_view name, const Timestamp& time) {
  time_scratch_.clear();
  append_iso8601_utc(time_scratch_, time);  // digits, '-', ':', 'T', '.', 'Z'
  plain_attribute(name, time_scratch_);
}

void XmlEmitter::plain_text(std::string_view value) {
  text_depth_ = static_cast<long>(depth_) - 1;
  seal();
  buffer_.append(value);
}

void XmlEmitter::text(std::string_view value, EscapeMode mode) {
  if (is_plain(value)) {
    plain_text(value);
    return;
  }
  text_depth_ = static_cast<long>(depth_) - 1;
  seal();
  value_scratch_.clear();
  append_escaped(value_scratch_, value, mode);
  append_entities(value_scratch_, /*in_text=*/true);
}

void XmlEmitter::close() {
  if (depth_ == 0) return;
  --depth_;
  if (just_opened_) {
    buffer_ += "/>";
  } else {
    if (text_depth_ < 0) {
      buffer_ += '\n';
      buffer_.append(depth_ * kXmlIndent, ' ');
    }
    buffer_ += "</";
    buffer_.append(names_[depth_]);
    buffer_ += '>';
  }
  if (text_depth_ == static_cast<long>(depth_)) text_depth_ = -1;
  if (depth_ == 0) buffer_ += '\n';
  just_opened_ = false;
}

void XmlEmitter::leaf(std::string_view name, std::string_view value) {
  open(name);
  text(value);
  close();
}

void XmlEmitter::leaf(std::string_view name, uint64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  open(name);
  plain_text(std::string_view(digits, static_cast<size_t>(end - digits)));
  close();
}

void XmlEmitter::leaf(std::string_view name, const Timestamp& time) {
  time_scratch_.clear();
  append_iso8601_utc(time_scratch_, time);
  open(name);
  plain_text(time_scratch_);
  close();
}

void XmlEmitter::close_all() {
  while (depth_ > 0) close();
}

}  // namespace tcpflow::report
