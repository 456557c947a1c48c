// XmlEmitter writes the layout of tinyxml2::XMLPrinter (the printer earlier
// versions used), so report.xml did not change when it replaced it. These
// tests drive both with the same calls and compare the bytes.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <cstdio>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "report/text_escape.h"
#include "report/xml_emitter.h"

namespace tcpflow::report {
namespace {

// Calls on both printers at once; XMLPrinter gets the values already run
// through escape_bytes, as XmlEmitter's callers used to pass them.
class BothPrinters {
 public:
  BothPrinters() : file_(std::tmpfile()), ours_(file_), theirs_(nullptr, /*compact=*/false) {}
  ~BothPrinters() { std::fclose(file_); }

  void declaration() {
    ours_.declaration();
    theirs_.PushDeclaration("xml version=\"1.0\" encoding=\"UTF-8\"");
  }
  void open(const std::string& name) {
    ours_.open(name);
    names_.push_back(name);
    theirs_.OpenElement(names_.back().c_str());
  }
  void attribute(const std::string& name, const std::string& value) {
    ours_.attribute(name, value);
    theirs_.PushAttribute(name.c_str(), escape_bytes(value).c_str());
  }
  void attribute(const std::string& name, uint64_t value) {
    ours_.attribute(name, value);
    theirs_.PushAttribute(name.c_str(), std::to_string(value).c_str());
  }
  void text(const std::string& value, EscapeMode mode) {
    ours_.text(value, mode);
    theirs_.PushText(escape_bytes(value, mode).c_str());
  }
  void close() {
    ours_.close();
    theirs_.CloseElement();
    names_.pop_back();
  }
  size_t depth() const { return names_.size(); }

  std::string ours() {
    ours_.flush();
    std::fflush(file_);
    std::string text;
    std::rewind(file_);
    char chunk[4096];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, file_)) > 0) text.append(chunk, n);
    return text;
  }
  std::string theirs() const { return theirs_.CStr(); }

 private:
  FILE* file_;
  XmlEmitter ours_;
  tinyxml2::XMLPrinter theirs_;
  std::deque<std::string> names_;  // XMLPrinter keeps the pointers until CloseElement: never moved
};

TEST(XmlEmitter, WritesAFileobjectAsXmlPrinterDid) {
  BothPrinters both;
  both.declaration();
  both.open("dfxml");
  both.attribute("xmlns", "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML");
  both.open("fileobject");
  both.open("filename");
  both.text("010.001.162.042.12761-172.016.001.052.00080", EscapeMode::kName);
  both.close();
  both.open("byte_runs");
  both.open("byte_run");
  both.attribute("file_offset", 0);
  both.attribute("len", 299);
  both.close();
  both.close();
  both.open("tcpflow:flow");
  both.attribute("src_ip", "10.1.162.42");
  both.open("tcpflow:input");
  both.text("/tmp/a <b> & 'c' \"d\"", EscapeMode::kName);
  both.close();
  both.close();
  both.open("empty");
  both.text("", EscapeMode::kName);
  both.close();
  both.close();
  both.close();
  EXPECT_EQ(both.ours(), both.theirs());
}

TEST(XmlEmitter, EscapesMarkupAndBadBytesInAttributesAndText) {
  BothPrinters both;
  both.open("a");
  both.attribute("v", std::string("<&>\"'\\\x01\xff\0end", 12));
  both.text(std::string("<&>\"'\\\t\n\x01\xc3\xa9", 12), EscapeMode::kText);
  both.close();
  EXPECT_EQ(both.ours(), both.theirs());
  EXPECT_NE(both.ours().find("v=\"&lt;&amp;&gt;&quot;&apos;\\\\\\x01\\xff\\x00end\""),
            std::string::npos);
}

// Random documents: nesting, empty elements, text followed by children and
// siblings, values with every kind of character that needs escaping.
TEST(XmlEmitter, MatchesXmlPrinterOnRandomDocuments) {
  const std::vector<std::string> values = {
      "", "plain", "a&b", "<tag>", "\"quoted\"", "it's", "back\\slash", "tab\there",
      "line\nfeed", std::string("nul\0byte", 8), "\x7f", "caf\xc3\xa9", "\xc3", "x>y"};
  std::mt19937 random(20261125);
  for (int document = 0; document < 300; ++document) {
    BothPrinters both;
    if (random() % 2) both.declaration();
    both.open("root");
    for (int step = 0; step < 40; ++step) {
      const std::string& value = values[random() % values.size()];
      switch (random() % 6) {
        case 0:
        case 1:
          both.open("e" + std::to_string(random() % 4));
          while (random() % 3 == 0) both.attribute("a" + std::to_string(random() % 3), value);
          if (random() % 4 == 0) both.attribute("n", random());
          break;
        case 2:
          both.text(value, random() % 2 ? EscapeMode::kText : EscapeMode::kName);
          break;
        default:
          if (both.depth() > 1) both.close();
      }
    }
    while (both.depth() > 0) both.close();
    ASSERT_EQ(both.ours(), both.theirs()) << "document " << document;
  }
}

}  // namespace
}  // namespace tcpflow::report
