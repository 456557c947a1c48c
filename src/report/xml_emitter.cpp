#include "report/xml_emitter.h"

#include <tinyxml2.h>

namespace tcpflow::report {

XmlEmitter::XmlEmitter(FILE* file)
    : printer_(std::make_unique<tinyxml2::XMLPrinter>(file, /*compact=*/false)) {}

XmlEmitter::~XmlEmitter() = default;

void XmlEmitter::declaration() {
  printer_->PushDeclaration("xml version=\"1.0\" encoding=\"UTF-8\"");
}

void XmlEmitter::open(std::string_view name) {
  names_.emplace_back(name);
  printer_->OpenElement(names_.back().c_str());
}

void XmlEmitter::attribute(std::string_view name, std::string_view value) {
  std::string attr_name(name);
  printer_->PushAttribute(attr_name.c_str(), escape_bytes(value).c_str());
}

void XmlEmitter::attribute(std::string_view name, uint64_t value) {
  attribute(name, std::to_string(value));
}

void XmlEmitter::text(std::string_view value, EscapeMode mode) {
  printer_->PushText(escape_bytes(value, mode).c_str());
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

void XmlEmitter::close_all() {
  while (!names_.empty()) close();
}

}  // namespace tcpflow::report
