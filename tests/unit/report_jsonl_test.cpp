// flows.jsonl: exact lines, JSON validity for hostile names, and (on
// request) the fixture files the Python reader's tests use.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "report/dfxml_writer.h"
#include "report/jsonl_writer.h"
#include "report_test_support.h"
#include "util/error.h"

namespace tcpflow::report {
namespace {

using testing::TempDir;

// A strict RFC 8259 recogniser, enough to prove each line is one valid JSON
// value in valid UTF-8 without depending on a JSON library.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view text) : s_(text) {}
  bool valid() {
    skip_ws();
    if (!value()) return false;
    skip_ws();
    return pos_ == s_.size() && utf8_ok();
  }

 private:
  bool value() {
    if (pos_ >= s_.size()) return false;
    switch (s_[pos_]) {
      case '{': return container('}', true);
      case '[': return container(']', false);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }
  bool container(char close, bool object) {
    ++pos_;
    skip_ws();
    if (peek() == close) return ++pos_, true;
    for (;;) {
      skip_ws();
      if (object) {
        if (!string()) return false;
        skip_ws();
        if (peek() != ':') return false;
        ++pos_;
        skip_ws();
      }
      if (!value()) return false;
      skip_ws();
      if (peek() == close) return ++pos_, true;
      if (peek() != ',') return false;
      ++pos_;
    }
  }
  bool string() {
    if (peek() != '"') return false;
    for (++pos_; pos_ < s_.size(); ++pos_) {
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') return ++pos_, true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      char e = ++pos_ < s_.size() ? s_[pos_] : '\0';
      if (e == 'u') {
        for (int i = 0; i < 4; ++i) {
          if (++pos_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_]))) {
            return false;
          }
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }
  bool number() {
    size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      return false;
    }
    if (peek() == '.' && (++pos_, !digits())) return false;
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!digits()) return false;
    }
    return pos_ > start;
  }
  bool digits() {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  // Well-formed UTF-8 per the Unicode table: no overlongs, surrogates or
  // code points above U+10FFFF.
  bool utf8_ok() const {
    for (size_t i = 0; i < s_.size();) {
      unsigned char c = static_cast<unsigned char>(s_[i]);
      size_t extra = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2
                                 : c >= 0xF0 && c <= 0xF4 ? 3 : 99;
      if (extra == 99 || (extra > 0 && i + extra >= s_.size())) return false;
      unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
      unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
      for (size_t k = 1; k <= extra; ++k) {
        unsigned char b = static_cast<unsigned char>(s_[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
      }
      i += extra + 1;
    }
    return true;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() && std::string_view(" \t\r\n").find(s_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

TEST(JsonChecker, AcceptsJsonAndRejectsNonJson) {
  EXPECT_TRUE(JsonChecker(R"({"a":[1,-2.5e3,true,null,"x\u00e9\n"],"b":{}})").valid());
  EXPECT_FALSE(JsonChecker(R"({"a":1,})").valid());
  EXPECT_FALSE(JsonChecker("{\"a\":\"\x01\"}").valid());
  EXPECT_FALSE(JsonChecker("{\"a\":\"\xff\"}").valid());
  EXPECT_FALSE(JsonChecker(R"({"a":01})").valid());
  EXPECT_FALSE(JsonChecker(R"({"a":"\x41"})").valid());
  EXPECT_FALSE(JsonChecker("\"\xed\xa0\x80\"").valid());
  EXPECT_FALSE(JsonChecker("\"\xe2\x82").valid());
  EXPECT_TRUE(JsonChecker("\"\xf0\x9f\x98\x80\"").valid());
}

TEST(JsonlWriter, Ipv4FlowLineIsExact) {
  auto flows = testing::sample_flows();
  EXPECT_EQ(JsonlWriter::format(flows[1], {{"md5", "0123abcd"}}),
            R"({"filename":"093.184.216.034.00080-192.168.000.010.51000--100","filesize":1000,)"
            R"("flow_id":1,"connection_id":1,"connection_count":0,"direction":"server",)"
            R"("family":"ipv4","src_ip":"93.184.216.34","src_port":80,"dst_ip":"192.168.0.10",)"
            R"("dst_port":51000,"vlan":100,"src_mac":"66:77:88:99:0a:0b",)"
            R"("dst_mac":"00:11:22:aa:bb:cc","start_time":"2024-05-01T12:00:00.250000Z",)"
            R"("end_time":"2024-05-01T12:00:01.000000Z","start_epoch":1714564800.250000,)"
            R"("end_epoch":1714564801.000000,"packets":5,"first_packet":2,"last_packet":10,)"
            R"("segments":12,"bytes":960,"input_files":["in.pcap"],"close_reason":"rst",)"
            R"("gaps":[[100,20],[300,50]],"gap_count":2,"gap_bytes":70,"conflicts":[[10,4]],)"
            R"("conflict_count":1,"conflict_bytes":4,"duplicate_bytes":30,)"
            R"("bad_checksum_segments":2,"bad_ip_checksum_segments":3,)"
            R"("bad_checksum_replaced":1,"before_start_segments":0,)"
            R"("capped_bytes":0,"spilled_blocks":0,"write_error":null,"md5":"0123abcd"})");
}

TEST(JsonlWriter, Ipv6FlowWithHostileNamesIsValidAndReversible) {
  auto flows = testing::sample_flows();
  std::string line = JsonlWriter::format(flows[2], {{"note", "tab\there"}});
  EXPECT_TRUE(JsonChecker(line).valid()) << line;
  // The JSON text of the escaped name: its backslashes are JSON-escaped again.
  EXPECT_NE(line.find(R"("filename":"odd<&'\">\\xff\\xfe\\x01\\\\caf)" "\xc3\xa9" R"(")"),
            std::string::npos) << line;
  EXPECT_NE(line.find(R"("src_ip":"2001:db8::1")"), std::string::npos);
  EXPECT_NE(line.find(R"("vlan":null,"src_mac":null,"dst_mac":null)"), std::string::npos);
  EXPECT_NE(line.find(R"("start_epoch":1714564802.123456789,"end_epoch":1714564803.000000005)"),
            std::string::npos);
  EXPECT_NE(line.find(R"("start_time":"2024-05-01T12:00:02.123456789Z")"), std::string::npos);
  EXPECT_NE(line.find(R"("write_error":"No space left on device")"), std::string::npos);
  EXPECT_NE(line.find(R"("note":"tab\\x09here")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("direction":"unknown")"), std::string::npos);
}

TEST(JsonlWriter, ExtraFieldsNeverDuplicateStandardKeys) {
  auto flows = testing::sample_flows();
  std::string line = JsonlWriter::format(flows[0], {{"bytes", "x"}, {"md5", "y"}});
  EXPECT_NE(line.find(R"("bytes":420,)"), std::string::npos);
  EXPECT_NE(line.find(R"(,"extra_bytes":"x","md5":"y"})"), std::string::npos) << line;
}

TEST(JsonlWriter, WritesOneValidLinePerFlow) {
  TempDir dir;
  std::string path = dir.file("flows.jsonl");
  auto flows = testing::sample_flows();
  {
    JsonlWriter writer(path);
    for (const auto& flow : flows) writer.write(flow, {{"md5", "d41d8cd98f00b204e9800998ecf8427e"}});
    // Flushed per line: complete on disk before the writer goes away.
    EXPECT_EQ(testing::read_lines(path).size(), flows.size());
    EXPECT_TRUE(writer.ok()) << writer.error();
    EXPECT_EQ(writer.lines_written(), flows.size());
  }
  auto lines = testing::read_lines(path);
  ASSERT_EQ(lines.size(), flows.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_TRUE(JsonChecker(lines[i]).valid()) << lines[i];
    EXPECT_EQ(lines[i], JsonlWriter::format(flows[i], {{"md5", "d41d8cd98f00b204e9800998ecf8427e"}}));
  }
  // A second opinion from a real JSON parser, when one is installed.
  if (std::system("command -v python3 >/dev/null 2>&1") == 0) {
    std::string command = "python3 -c 'import json,sys\nfor l in open(sys.argv[1],encoding=\"utf-8\"):"
                          " json.loads(l)' '" + path + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
}

TEST(JsonlWriter, ThrowsWhenTheFileCannotBeCreated) {
  EXPECT_THROW(JsonlWriter("/nonexistent-dir/for/tcpflow/flows.jsonl"), tcpflow::Error);
}

TEST(JsonlWriter, WriteFailureTurnsOkFalse) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  JsonlWriter writer("/dev/full");
  writer.write(testing::sample_flows()[0]);
  EXPECT_FALSE(writer.ok());
}

// Regenerates python/tests/fixtures/ from the sample flows when
// TCPFLOW_WRITE_REPORT_FIXTURES names a directory; otherwise does nothing.
TEST(ReportFixtures, WrittenOnRequest) {
  const char* dir = std::getenv("TCPFLOW_WRITE_REPORT_FIXTURES");
  if (dir == nullptr || *dir == '\0') return;
  auto flows = testing::sample_flows();
  const std::string md5 = "d41d8cd98f00b204e9800998ecf8427e";
  DfxmlWriter xml(std::string(dir) + "/report.xml", testing::sample_context());
  JsonlWriter jsonl(std::string(dir) + "/flows.jsonl");
  xml.add_source({"in.pcap", 123456, ""});
  for (size_t i = 0; i < flows.size(); ++i) {
    xml.write_fileobject(flows[i], i == 0 ? testing::sample_extra() : std::vector<XmlChild>{});
    jsonl.write(flows[i], i == 0 ? std::vector<std::pair<std::string, std::string>>{{"md5", md5}}
                                 : std::vector<std::pair<std::string, std::string>>{});
  }
  RunSummary summary;
  summary.stats.add(Counter::kPacketsRead, 15);
  summary.stats.add(Counter::kBytesRead, 4000);
  summary.stats.add(Counter::kFlowsCreated, 4);
  summary.stats.add(Counter::kConnectionsCreated, 3);
  summary.stats.add(Counter::kGaps, 2);
  summary.stats.add(Counter::kGapBytes, 70);
  summary.stats.add(Counter::kOverlapConflicts, 1);
  summary.elapsed_seconds = 0.25;
  summary.stop_reason = "end_of_input";
  summary.values = {{"max_held_bytes", "268435456"}};
  xml.finish(summary);
  EXPECT_TRUE(xml.ok() && jsonl.ok());
}

}  // namespace
}  // namespace tcpflow::report
