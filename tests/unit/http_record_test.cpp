// The http scanner's message times, request/response pairing and
// flows.jsonl records (scan_http.cpp, http_record.cpp).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "scanners/http_record.h"
#include "scanners/scan_http.h"

namespace tcpflow::scanners {
namespace {

class TempFiles {
 public:
  TempFiles() {
    std::string pattern = "/tmp/tcpflow-http-record-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
  }
  ~TempFiles() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string write(const std::string& name, const std::string& bytes) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

std::map<std::string, std::string> attributes(const report::XmlChild& child) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : child.attributes) out[name] = value;
  return out;
}

ScanResult scan(const ScannerOptions& options, const ScanTarget& target, const std::string& bytes) {
  auto scanner = make_http_scanner(options);
  auto run = scanner->begin(target);
  run->update(ByteView(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  ScanResult result;
  run->finish(result);
  return result;
}

TEST(HttpRecords, ResponsesNameTheRequestTheyAnswerAndEveryMessageHasItsTime) {
  TempFiles files;
  const std::string requests =
      "GET /first?a=1 HTTP/1.1\r\nHost: h\r\n\r\n"
      "HEAD /second HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /third HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi";
  const std::string first = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  const std::string second = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";  // HEAD: no body
  const std::string third = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  const std::string responses = first + second + third;
  std::string peer_path = files.write("client", requests);
  std::string path = files.write("server", responses);

  flow::FlowInfo info;
  info.connection_id = 4;
  info.flow_id = 9;
  info.filename = "server";
  info.write_times = std::make_shared<flow::WriteTimes>();
  // Each response arrived in its own packet, one second apart; the 100 and
  // the 200 came in one packet.
  info.write_times->note(0, first.size(), Timestamp{1714564800, 0});
  info.write_times->note(first.size(), second.size(), Timestamp{1714564801, 500000000});
  info.write_times->note(first.size() + second.size(), third.size(), Timestamp{1714564802, 7});
  info.write_times->seal();
  flow::FlowInfo peer;
  ScannerOptions options;
  options.outdir = files.dir();
  ScanTarget target{info, path, &peer, &peer_path};
  ScanResult result = scan(options, target, responses);

  ASSERT_EQ(5u, result.xml.size());  // four messages and the http_stream
  auto continue_ = attributes(result.xml[0]);
  EXPECT_EQ("100", continue_["status"]);
  EXPECT_EQ(0u, continue_.count("request_method"));
  EXPECT_EQ(0u, continue_.count("request_url"));
  EXPECT_EQ("2024-05-01T12:00:00.000000Z", continue_["time"]);
  auto ok = attributes(result.xml[1]);
  EXPECT_EQ("GET", ok["request_method"]);
  EXPECT_EQ("/first?a=1", ok["request_url"]);
  EXPECT_EQ("2024-05-01T12:00:00.000000Z", ok["time"]);
  auto head = attributes(result.xml[2]);
  EXPECT_EQ("HEAD", head["request_method"]);
  EXPECT_EQ("/second", head["request_url"]);
  EXPECT_EQ("2024-05-01T12:00:01.500000Z", head["time"]);
  auto created = attributes(result.xml[3]);
  EXPECT_EQ("POST", created["request_method"]);
  EXPECT_EQ("/third", created["request_url"]);
  EXPECT_EQ("2024-05-01T12:00:02.000000007Z", created["time"]);

  ASSERT_EQ(4u, result.jsonl_records.size());
  EXPECT_EQ(R"({"record":"http","connection_id":4,"flow_id":9,"filename":"server",)"
            R"("kind":"response","offset":0,"time":"2024-05-01T12:00:00.000000Z","status":100,)"
            R"("version":"1.1"})",
            result.jsonl_records[0]);
  EXPECT_NE(std::string::npos,
            result.jsonl_records[1].find(R"("request_method":"GET","request_url":"/first?a=1")"));
}

TEST(HttpRecords, WithoutTimesOrPeerTheAttributesAreLeftOut) {
  TempFiles files;
  const std::string responses = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  std::string path = files.write("server", responses);
  flow::FlowInfo info;
  ScannerOptions options;
  options.outdir = files.dir();
  ScanTarget target{info, path};
  ScanResult result = scan(options, target, responses);
  ASSERT_EQ(2u, result.xml.size());
  auto ok = attributes(result.xml[0]);
  EXPECT_EQ(0u, ok.count("time"));
  EXPECT_EQ(0u, ok.count("request_url"));
  EXPECT_EQ(0u, ok.count("request_method"));
}

TEST(HttpRecords, RequestRecordKeepsNumbersAndStrings) {
  flow::FlowInfo info;
  info.connection_id = 1;
  info.flow_id = 0;
  info.filename = "f";
  auto message = report::XmlChild::leaf("http")
                     .attr("kind", "request")
                     .attr("offset", "120")
                     .attr("method", "GET")
                     .attr("url", "/\"q\"")
                     .attr("host", "0123")
                     .attr("body_length", "00");
  EXPECT_EQ(R"({"record":"http","connection_id":1,"flow_id":0,"filename":"f","kind":"request",)"
            R"("offset":120,"method":"GET","url":"/\"q\"","host":"0123","body_length":"00"})",
            http_json_record(info, message));
}

}  // namespace
}  // namespace tcpflow::scanners
