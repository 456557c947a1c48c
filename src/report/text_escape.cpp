#include "report/text_escape.h"

namespace tcpflow::report {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex_escape(std::string& out, unsigned char byte) {
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0x0F];
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at raw[i] that XML
// accepts, or 0 when the byte there must be escaped. Follows the table of
// well-formed byte sequences in the Unicode standard (no overlong forms, no
// surrogates, nothing above U+10FFFF).
size_t valid_sequence_length(std::string_view raw, size_t i) {
  const auto at = [&raw](size_t k) { return static_cast<unsigned char>(raw[k]); };
  unsigned char lead = at(i);
  size_t left = raw.size() - i;
  if (lead >= 0xC2 && lead <= 0xDF) {
    return left >= 2 && is_continuation(at(i + 1)) ? 2 : 0;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (left < 3) return 0;
    unsigned char b1 = at(i + 1);
    unsigned char lo = lead == 0xE0 ? 0xA0 : 0x80;
    unsigned char hi = lead == 0xED ? 0x9F : 0xBF;
    if (b1 < lo || b1 > hi || !is_continuation(at(i + 2))) return 0;
    // U+FFFE and U+FFFF are not XML characters.
    if (lead == 0xEF && b1 == 0xBF && (at(i + 2) == 0xBE || at(i + 2) == 0xBF)) return 0;
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (left < 4) return 0;
    unsigned char b1 = at(i + 1);
    unsigned char lo = lead == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = lead == 0xF4 ? 0x8F : 0xBF;
    if (b1 < lo || b1 > hi || !is_continuation(at(i + 2)) || !is_continuation(at(i + 3))) {
      return 0;
    }
    return 4;
  }
  return 0;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == '-';
}

std::string sanitize_ncname(std::string_view part) {
  std::string out;
  out.reserve(part.size() + 1);
  if (part.empty() || !((part[0] >= 'a' && part[0] <= 'z') ||
                        (part[0] >= 'A' && part[0] <= 'Z') || part[0] == '_')) {
    out += '_';
  }
  for (char c : part) out += is_name_char(c) ? c : '_';
  return out;
}

}  // namespace

void append_escaped(std::string& out, std::string_view raw, EscapeMode mode) {
  // Most values (addresses, numbers, times, plain names) need no escape.
  size_t i = 0;
  while (i < raw.size()) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c < 0x20 || c >= 0x7F || c == '\\') break;
    ++i;
  }
  out.append(raw.substr(0, i));
  while (i < raw.size()) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c < 0x80) {
      bool keep_control = mode == EscapeMode::kText && (c == '\t' || c == '\n');
      if (c == '\\') {
        out += "\\\\";
      } else if ((c < 0x20 && !keep_control) || c == 0x7F) {
        append_hex_escape(out, c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    size_t len = valid_sequence_length(raw, i);
    if (len == 0) {
      append_hex_escape(out, c);
      ++i;
    } else {
      out.append(raw.substr(i, len));
      i += len;
    }
  }
}

std::string escape_bytes(std::string_view raw, EscapeMode mode) {
  std::string out;
  out.reserve(raw.size());
  append_escaped(out, raw, mode);
  return out;
}

std::string sanitize_xml_name(std::string_view name) {
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) return sanitize_ncname(name);
  return sanitize_ncname(name.substr(0, colon)) + ":" + sanitize_ncname(name.substr(colon + 1));
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0x0F];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace tcpflow::report
