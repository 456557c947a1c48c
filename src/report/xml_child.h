// A small element tree that scanners (and the pipeline) hand to the DFXML
// writer to attach to a flow's <fileobject>, e.g.
//   XmlChild::leaf("hashdigest", hex).attr("type", "md5")
// Plain data: the writer escapes every name and string when it prints it.
//
// Where a child lands (see DfxmlWriter::write_fileobject): "hashdigest" and
// "libmagic" are DFXML elements and go in the schema's place for them; any
// other name without a prefix is put in the tcpflow namespace ("http" is
// written as "tcpflow:http", and so are its descendants). A name that already
// has a prefix is written as given; its namespace must then be declared with
// an "xmlns:prefix" attribute on that child.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace tcpflow::report {

struct XmlChild {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // written before the children; tabs and newlines are kept
  std::vector<XmlChild> children;

  static XmlChild leaf(std::string element_name, std::string element_text = {}) {
    XmlChild child;
    child.name = std::move(element_name);
    child.text = std::move(element_text);
    return child;
  }
  XmlChild& attr(std::string attr_name, std::string value) {
    attributes.emplace_back(std::move(attr_name), std::move(value));
    return *this;
  }
  XmlChild& add(XmlChild child) {
    children.push_back(std::move(child));
    return *this;
  }
};

}  // namespace tcpflow::report
