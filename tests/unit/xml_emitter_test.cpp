// report.xml's writer: the layout tinyxml2's printer had (src/merge and every
// earlier report depend on it), XML's entities on top of escape_bytes(), and
// a document any XML parser reads back to the values given.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "report/text_escape.h"
#include "report/xml_emitter.h"
#include "report_test_support.h"

namespace tcpflow::report {
namespace {

using testing::emitted_xml;

TEST(XmlEmitterLayout, IndentsChildrenAndKeepsTextOnItsLine) {
  const std::string written = emitted_xml([](XmlEmitter& xml) {
    xml.declaration();
    xml.open("dfxml");
    xml.attribute("version", "2");
    xml.open("fileobject");
    xml.leaf("filename", "a-b");
    xml.leaf("filesize", uint64_t{42});
    xml.open("byte_runs");
    xml.open("byte_run");
    xml.attribute("len", uint64_t{7});
    xml.close();
    xml.close();
    xml.close();
    xml.open("empty");
    xml.close();
    xml.close();
  });
  EXPECT_EQ(written,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<dfxml version=\"2\">\n"
            "  <fileobject>\n"
            "    <filename>a-b</filename>\n"
            "    <filesize>42</filesize>\n"
            "    <byte_runs>\n"
            "      <byte_run len=\"7\"/>\n"
            "    </byte_runs>\n"
            "  </fileobject>\n"
            "  <empty/>\n"
            "</dfxml>\n");
}

// The connection spool holds top-level elements one after another: each is
// preceded by a line break and followed by one (src/merge reads this).
TEST(XmlEmitterLayout, TopLevelElementsEachEndTheirLine) {
  const std::string written = emitted_xml([](XmlEmitter& xml) {
    xml.open("tcpflow:connection");
    xml.attribute("connection_id", uint64_t{1});
    xml.close();
    xml.open("tcpflow:connection");
    xml.attribute("connection_id", uint64_t{2});
    xml.close();
  });
  EXPECT_EQ(written,
            "<tcpflow:connection connection_id=\"1\"/>\n"
            "\n<tcpflow:connection connection_id=\"2\"/>\n");
}

TEST(XmlEmitterLayout, TextThenChildStaysInline) {
  const std::string written = emitted_xml([](XmlEmitter& xml) {
    xml.open("a");
    xml.open("b");
    xml.text("t");
    xml.open("c");
    xml.close();
    xml.close();
    xml.open("d");
    xml.close();
    xml.close();
  });
  EXPECT_EQ(written, "<a>\n  <b>t<c/></b>\n  <d/>\n</a>\n");
}

TEST(XmlEmitterEntities, AttributesQuoteEverythingTextOnlyMarkup) {
  const std::string written = emitted_xml([](XmlEmitter& xml) {
    xml.open("e");
    xml.attribute("v", "a&b<c>d\"e'f");
    xml.text("a&b<c>d\"e'f");
    xml.close();
  });
  EXPECT_EQ(written,
            "<e v=\"a&amp;b&lt;c&gt;d&quot;e&apos;f\">a&amp;b&lt;c&gt;d\"e'f</e>\n");
}

TEST(XmlEmitterEntities, ControlBytesAreEscapedBeforeEntities) {
  const std::string written = emitted_xml([](XmlEmitter& xml) {
    xml.open("e");
    xml.attribute("v", std::string("x\x01\\&", 4));
    xml.text("line\nnext\t\x02", EscapeMode::kText);
    xml.close();
  });
  EXPECT_EQ(written, "<e v=\"x\\x01\\\\&amp;\">line\nnext\t\\x02</e>\n");
}

TEST(XmlEmitterLayout, CloseAllEndsTheDocumentAndDepthFollows) {
  const std::string written = emitted_xml([](XmlEmitter& xml) {
    xml.open("a");
    xml.open("tcpflow:a_rather_long_element_name");
    xml.open("c");
    EXPECT_EQ(xml.depth(), 3u);
    xml.close_all();
    EXPECT_EQ(xml.depth(), 0u);
    xml.close();  // nothing open: no effect
  });
  EXPECT_EQ(written,
            "<a>\n  <tcpflow:a_rather_long_element_name>\n    <c/>\n"
            "  </tcpflow:a_rather_long_element_name>\n</a>\n");
}

// Whatever the bytes, an XML parser reads the document and gets back
// escape_bytes() of each value, in attributes and in text.
TEST(XmlEmitterEntities, AParserReadsBackTheEscapedValues) {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
  const std::string values[] = {all_bytes, "\"'&<>", "", "plain", "caf\xc3\xa9 \xff"};
  for (const std::string& value : values) {
    const std::string written = emitted_xml([&](XmlEmitter& xml) {
      xml.declaration();
      xml.open("r");
      xml.attribute("v", value);
      xml.leaf("t", value);
      xml.close();
    });
    tinyxml2::XMLDocument doc;
    ASSERT_EQ(doc.Parse(written.c_str(), written.size()), tinyxml2::XML_SUCCESS) << written;
    const tinyxml2::XMLElement* root = doc.FirstChildElement("r");
    ASSERT_NE(root, nullptr);
    const char* attribute = root->Attribute("v");
    ASSERT_NE(attribute, nullptr);
    EXPECT_EQ(std::string(attribute), escape_bytes(value));
    const char* text = root->FirstChildElement("t")->GetText();
    EXPECT_EQ(std::string(text ? text : ""), escape_bytes(value));
  }
}

// Plain values (printable ASCII without the specials) are copied as they
// are; every other byte takes the escaping path. Byte by byte, inside plain
// text, both paths give what a parser reads back as escape_bytes().
TEST(XmlEmitterEntities, EachByteAloneOrInPlainTextReadsBack) {
  for (int b = 0; b < 256; ++b) {
    const std::string value = "ab" + std::string(1, static_cast<char>(b)) + "cd";
    const std::string written = emitted_xml([&](XmlEmitter& xml) {
      xml.open("r");
      xml.attribute("v", value);
      xml.attribute("w", std::string_view(value).substr(2, 1));
      xml.leaf("t", value);
      xml.close();
    });
    tinyxml2::XMLDocument doc;
    ASSERT_EQ(doc.Parse(written.c_str(), written.size()), tinyxml2::XML_SUCCESS)
        << "byte " << b << ": " << written;
    const tinyxml2::XMLElement* root = doc.FirstChildElement("r");
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(std::string(root->Attribute("v")), escape_bytes(value)) << "byte " << b;
    EXPECT_EQ(std::string(root->Attribute("w")), escape_bytes(value.substr(2, 1))) << "byte " << b;
    const char* text = root->FirstChildElement("t")->GetText();
    EXPECT_EQ(std::string(text ? text : ""), escape_bytes(value)) << "byte " << b;
  }
}

TEST(XmlEmitterBuffer, HoldsTextUntilFlushed) {
  char* text = nullptr;
  size_t size = 0;
  FILE* memory = open_memstream(&text, &size);
  ASSERT_NE(memory, nullptr);
  {
    XmlEmitter xml(memory);
    xml.open("a");
    xml.close();
    EXPECT_EQ(xml.pending(), 5u);
    std::fflush(memory);
    EXPECT_EQ(size, 0u);
    xml.flush();
    EXPECT_EQ(xml.pending(), 0u);
    std::fflush(memory);
    EXPECT_EQ(std::string(text, size), "<a/>\n");
  }
  std::fclose(memory);
  std::free(text);
}

}  // namespace
}  // namespace tcpflow::report
