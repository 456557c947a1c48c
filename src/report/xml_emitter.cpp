#include "report/xml_emitter.h"

#include <tinyxml2.h>

#include <charconv>
#include <cstdarg>

#include "report/flow_format.h"

namespace tcpflow::report {

// XMLPrinter(FILE*) calls fwrite for every name, quote and value: dozens of
// locked stdio calls per <fileobject>, a sizeable share of a run with a
// million short flows. This printer collects the text in a string instead;
// flush() hands it to the FILE in one fwrite.
class BufferedXmlPrinter : public tinyxml2::XMLPrinter {
 public:
  explicit BufferedXmlPrinter(FILE* file) : XMLPrinter(nullptr, /*compact=*/false), file_(file) {}

  void flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    buffer_.clear();
  }
  size_t pending() const { return buffer_.size(); }

 protected:
  void Print(const char* format, ...) override {
    va_list args;
    va_start(args, format);
    va_list again;
    va_copy(again, args);
    char small[256];
    int n = std::vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n > 0 && static_cast<size_t>(n) < sizeof small) {
      buffer_.append(small, static_cast<size_t>(n));
    } else if (n > 0) {
      size_t old = buffer_.size();
      buffer_.resize(old + static_cast<size_t>(n) + 1);
      std::vsnprintf(&buffer_[old], static_cast<size_t>(n) + 1, format, again);
      buffer_.resize(old + static_cast<size_t>(n));
    }
    va_end(again);
  }
  void Write(const char* data, size_t size) override { buffer_.append(data, size); }
  void Putc(char ch) override { buffer_.push_back(ch); }
  void PrintSpace(int depth) override {
    buffer_.append(static_cast<size_t>(depth) * kXmlIndent, ' ');
  }

 private:
  FILE* file_;
  std::string buffer_;
};

XmlEmitter::XmlEmitter(FILE* file) : printer_(std::make_unique<BufferedXmlPrinter>(file)) {}

XmlEmitter::~XmlEmitter() { printer_->flush(); }

void XmlEmitter::flush() { printer_->flush(); }

size_t XmlEmitter::pending() const { return printer_->pending(); }

void XmlEmitter::declaration() {
  printer_->PushDeclaration("xml version=\"1.0\" encoding=\"UTF-8\"");
}

void XmlEmitter::open(std::string_view name) {
  names_.emplace_back(name);
  printer_->OpenElement(names_.back().c_str());
}

void XmlEmitter::attribute(std::string_view name, std::string_view value) {
  // Reused buffers: a report writes about thirty attributes per flow.
  name_scratch_.assign(name);
  value_scratch_.clear();
  append_escaped(value_scratch_, value);
  printer_->PushAttribute(name_scratch_.c_str(), value_scratch_.c_str());
}

void XmlEmitter::attribute(std::string_view name, uint64_t value) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  attribute(name, std::string_view(digits, static_cast<size_t>(end - digits)));
}

void XmlEmitter::attribute(std::string_view name, const Timestamp& time) {
  time_scratch_.clear();
  append_iso8601_utc(time_scratch_, time);
  attribute(name, time_scratch_);
}

void XmlEmitter::text(std::string_view value, EscapeMode mode) {
  value_scratch_.clear();
  append_escaped(value_scratch_, value, mode);
  printer_->PushText(value_scratch_.c_str());
}

void XmlEmitter::close() {
  if (names_.empty()) return;
  printer_->CloseElement();
  names_.pop_back();
}

void XmlEmitter::leaf(std::string_view name, std::string_view value) {
  open(name);
  text(value);
  close();
}

void XmlEmitter::leaf(std::string_view name, uint64_t value) {
  leaf(name, std::to_string(value));
}

void XmlEmitter::leaf(std::string_view name, const Timestamp& time) {
  time_scratch_.clear();
  append_iso8601_utc(time_scratch_, time);
  leaf(name, std::string_view(time_scratch_));
}

void XmlEmitter::close_all() {
  while (!names_.empty()) close();
}

}  // namespace tcpflow::report
