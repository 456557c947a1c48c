// Body files: content decoding (gzip, zlib and raw deflate), the size cap
// against decompression bombs, falling back to the body as received, and the
// http scanner end to end on flow files with their peer.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "scanners/http_body.h"
#include "scanners/http_command.h"
#include "scanners/registry.h"
#include "scanners/scan_http.h"

namespace tcpflow::scanners::http {
namespace {

// window_bits: 15 zlib, -15 raw deflate, 31 gzip.
std::string compress(const std::string& data, int window_bits) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string sample_text(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "line " + std::to_string(i * 7919 % 1000) + "\n";
  s.resize(n);
  return s;
}

class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/tcpflow-http-XXXXXX";
    path_ = ::mkdtemp(templ);
  }
  ~TempDir() {
    std::error_code ignored;  // a leftover temp directory is not a test failure
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

struct Written {
  BodyFacts facts;
  std::string data;
};

// Writes `body` (the flow file holds `prefix` + `wire`) through a BodyWriter
// in pieces of `piece` bytes.
Written write_body(const TempDir& dir, const std::string& wire, Coding coding, uint64_t cap,
                   size_t piece, Framing framing = Framing::kLength,
                   const std::string& decoded_wire = {}) {
  std::string prefix = "HTTP/1.1 200 OK\r\n\r\n";
  std::string flow = dir.file("flow");
  write_file(flow, prefix + wire);
  unsigned counter = 0;
  BodyWriter writer(BodySource{flow, prefix.size(), framing, {}}, ".txt", counter, coding, cap);
  const std::string& fed = decoded_wire.empty() ? wire : decoded_wire;
  for (size_t at = 0; at < fed.size(); at += piece) {
    writer.write(ByteView(std::string_view(fed).substr(at, piece)));
  }
  writer.finish(true);
  Written w{writer.facts(), {}};
  if (!w.facts.suffix.empty()) {
    EXPECT_EQ(w.facts.suffix, "-HTTPBODY-001.txt");
    EXPECT_EQ(counter, 1u);
    w.data = read_file(writer.path());
    ::unlink(writer.path().c_str());
  }
  return w;
}

TEST(HttpInflate, ContentCodingNames) {
  EXPECT_EQ(content_coding(""), Coding::kIdentity);
  EXPECT_EQ(content_coding("identity"), Coding::kIdentity);
  EXPECT_EQ(content_coding(" GZip "), Coding::kGzip);
  EXPECT_EQ(content_coding("x-gzip"), Coding::kGzip);
  EXPECT_EQ(content_coding("deflate"), Coding::kDeflate);
  EXPECT_EQ(content_coding("br"), Coding::kOther);
  EXPECT_EQ(content_coding("gzip, deflate"), Coding::kOther);
}

TEST(HttpBody, Extensions) {
  EXPECT_EQ(body_extension("text/html; charset=UTF-8"), ".html");
  EXPECT_EQ(body_extension("Image/PNG"), ".png");
  EXPECT_EQ(body_extension("application/octet-stream"), ".bin");
  EXPECT_EQ(body_extension("application/x-unknown"), "");
  EXPECT_EQ(body_extension("../../etc/passwd"), "");
  EXPECT_EQ(body_extension(""), "");
}

TEST(HttpBody, DecodesEveryCodingAtEveryPieceSize) {
  TempDir dir;
  std::string text = sample_text(200000);
  struct Case {
    Coding coding;
    int bits;
  } cases[] = {{Coding::kGzip, 31}, {Coding::kDeflate, 15}, {Coding::kDeflate, -15},
               {Coding::kGzip, 15}};
  for (const Case& c : cases) {
    std::string wire = compress(text, c.bits);
    for (size_t piece : {size_t{1}, size_t{2}, size_t{3}, size_t{1000}, wire.size()}) {
      if (piece == 1 && c.bits != 31) continue;  // one byte at a time once is enough
      Written w = write_body(dir, wire, c.coding, 64 << 20, piece);
      EXPECT_EQ(w.data, text) << "bits " << c.bits << " piece " << piece;
      EXPECT_EQ(w.facts.size, text.size());
      EXPECT_EQ(w.facts.received, wire.size());
      EXPECT_TRUE(w.facts.decoded);
      EXPECT_FALSE(w.facts.decompress_failed);
      EXPECT_FALSE(w.facts.capped);
    }
  }
}

TEST(HttpBody, ConcatenatedGzipMembers) {
  TempDir dir;
  std::string wire = compress("first,", 31) + compress("second", 31);
  EXPECT_EQ(write_body(dir, wire, Coding::kGzip, 1 << 20, 5).data, "first,second");
}

// Trailing bytes after a complete gzip member are ignored, even when they
// start with the gzip magic byte and so look like another member.
TEST(HttpBody, GzipTrailingGarbageIsIgnored) {
  TempDir dir;
  std::string gz = compress("the body", 31);
  for (const std::string& junk : {std::string("\r\n"), std::string("\x1f\x8b\x08garbage", 11),
                                  std::string("\x1fjunk")}) {
    for (size_t piece : {1, 3, 4096}) {
      Written w = write_body(dir, gz + junk, Coding::kGzip, 1 << 20, piece);
      EXPECT_EQ(w.data, "the body") << piece;
      EXPECT_FALSE(w.facts.decompress_failed) << piece;
    }
  }
}

TEST(HttpInflate, TransferCodingsCountAsBodyCodings) {
  EXPECT_EQ(body_coding("", "chunked"), Coding::kIdentity);
  EXPECT_EQ(body_coding("", "gzip, chunked"), Coding::kGzip);
  EXPECT_EQ(body_coding("", "GZIP , Chunked"), Coding::kGzip);
  EXPECT_EQ(body_coding("deflate", "chunked"), Coding::kDeflate);
  EXPECT_EQ(body_coding("", "deflate"), Coding::kDeflate);
  EXPECT_EQ(body_coding("gzip", "gzip, chunked"), Coding::kOther);
  EXPECT_EQ(body_coding("", ""), Coding::kIdentity);
}

TEST(HttpBody, BombStopsAtTheCap) {
  TempDir dir;
  std::string zeros(20 << 20, '\0');
  std::string wire = compress(zeros, 31);
  ASSERT_LT(wire.size(), 100000u);
  Written w = write_body(dir, wire, Coding::kGzip, 1 << 20, 4096);
  EXPECT_EQ(w.facts.size, 1u << 20);
  EXPECT_EQ(w.data, std::string(1 << 20, '\0'));
  EXPECT_TRUE(w.facts.capped);
  EXPECT_FALSE(w.facts.decompress_failed);
  // Exactly the cap is not "capped".
  Written exact = write_body(dir, compress(std::string(1000, 'a'), 31), Coding::kGzip, 1000, 7);
  EXPECT_EQ(exact.facts.size, 1000u);
  EXPECT_FALSE(exact.facts.capped);
  // Raw bodies obey the same cap.
  Written raw = write_body(dir, std::string(5000, 'r'), Coding::kIdentity, 1000, 999);
  EXPECT_EQ(raw.data, std::string(1000, 'r'));
  EXPECT_TRUE(raw.facts.capped);
  EXPECT_EQ(raw.facts.received, 5000u);
}

TEST(HttpBody, UndecodableBodiesAreKeptAsReceived) {
  TempDir dir;
  std::string garbage = "this is not gzip at all";
  Written w = write_body(dir, garbage, Coding::kGzip, 1 << 20, 4);
  EXPECT_EQ(w.data, garbage);
  EXPECT_TRUE(w.facts.decompress_failed);
  // Corrupted in the middle, after output was written: the file restarts
  // with the body as received (re-read from the flow file).
  std::string wire = compress(sample_text(300000), 31);
  for (size_t i = wire.size() / 2; i < wire.size() / 2 + 64; ++i) wire[i] = static_cast<char>(~wire[i]);
  Written mid = write_body(dir, wire, Coding::kGzip, 64 << 20, 1000);
  EXPECT_TRUE(mid.facts.decompress_failed);
  EXPECT_EQ(mid.data, wire);
  // An unfinished stream at the end of a complete message.
  std::string cut = compress(sample_text(5000), 31);
  cut.resize(cut.size() / 2);
  Written unfinished = write_body(dir, cut, Coding::kDeflate, 64 << 20, 100);
  EXPECT_TRUE(unfinished.facts.decompress_failed);
  EXPECT_EQ(unfinished.data, cut);
  // Chunked: the fallback de-chunks the flow file again.
  std::string bad = "not-deflate-data-but-long-enough-to-span-chunks";
  std::string chunked;
  for (size_t at = 0; at < bad.size(); at += 10) {
    std::string part = bad.substr(at, 10);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    chunked += size + part + "\r\n";
  }
  chunked += "0\r\n\r\n";
  Written ch = write_body(dir, chunked, Coding::kDeflate, 64 << 20, 10, Framing::kChunked, bad);
  EXPECT_TRUE(ch.facts.decompress_failed);
  EXPECT_EQ(ch.data, bad);
}

TEST(HttpBody, EmptyBodiesWriteNoFile) {
  TempDir dir;
  Written empty = write_body(dir, "", Coding::kIdentity, 100, 1);
  EXPECT_TRUE(empty.facts.suffix.empty());
  Written nothing = write_body(dir, compress("", 31), Coding::kGzip, 100, 3);
  EXPECT_TRUE(nothing.facts.suffix.empty());
  EXPECT_FALSE(exists(dir.file("flow-HTTPBODY-001.txt")));
}

// The scanner over a request file and a response file: HEAD learned from
// the peer, body numbering, report attributes.
TEST(HttpScanner, ResponseFlowUsesThePeersMethods) {
  TempDir dir;
  std::string requests =
      "HEAD /big HTTP/1.1\r\nHost: h\r\n\r\n"
      "GET /page HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /send HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}";
  std::string page = sample_text(3000);
  std::string gz = compress(page, 31);
  std::string responses =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 99999\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: " +
      std::to_string(gz.size()) + "\r\n\r\n" + gz +
      "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
  std::string req_path = dir.file("req"), rsp_path = dir.file("rsp");
  write_file(req_path, requests);
  write_file(rsp_path, responses);
  flow::FlowInfo req_info, rsp_info;
  req_info.filename = "req";
  rsp_info.filename = "rsp";
  ScannerSelection http;
  http.enable = {"http"};
  ScannerSet set = ScannerSet::select(http);
  ScanResult rsp_result, req_result;
  std::string error;
  ASSERT_TRUE(set.scan_file(ScanTarget{rsp_info, rsp_path, &req_info, &req_path}, rsp_result, error));
  ASSERT_TRUE(set.scan_file(ScanTarget{req_info, req_path, &rsp_info, &rsp_path}, req_result, error));
  EXPECT_EQ(read_file(dir.file("rsp-HTTPBODY-001.html")), page);
  EXPECT_EQ(read_file(dir.file("rsp-HTTPBODY-002.txt")), "ok");
  EXPECT_EQ(read_file(dir.file("req-HTTPBODY-001.json")), "{\"a\":1}");
  ASSERT_EQ(rsp_result.xml.size(), 4u);  // three messages and the stream summary
  auto attr = [](const report::XmlChild& c, const std::string& name) {
    for (const auto& [k, v] : c.attributes) {
      if (k == name) return v;
    }
    return std::string("(none)");
  };
  EXPECT_EQ(attr(rsp_result.xml[0], "request_method"), "HEAD");
  EXPECT_EQ(attr(rsp_result.xml[0], "body"), "(none)");
  EXPECT_EQ(attr(rsp_result.xml[1], "body"), "rsp-HTTPBODY-001.html");
  EXPECT_EQ(attr(rsp_result.xml[1], "offset"), std::to_string(responses.find("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding")));
  EXPECT_EQ(attr(rsp_result.xml[1], "body_offset"), std::to_string(responses.find(gz)));
  EXPECT_EQ(attr(rsp_result.xml[1], "body_size"), std::to_string(page.size()));
  EXPECT_EQ(attr(rsp_result.xml[1], "decoded"), "1");
  EXPECT_EQ(rsp_result.xml[3].name, "http_stream");
  EXPECT_EQ(attr(rsp_result.xml[3], "end"), "end");
  EXPECT_EQ(attr(req_result.xml[2], "url"), "/send");
  Md5 md5;
  md5.update(ByteView(std::string_view("{\"a\":1}")));
  EXPECT_EQ(attr(req_result.xml[2], "body_md5"), md5.hex_digest());
}

TEST(HttpBodyHooks, AlertLineAndCommand) {
  TempDir dir;
  std::string body = dir.file("b-HTTPBODY-001.txt");
  write_file(body, "abc");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    // The command copies the body: quotes group words as for tcp_cmd.
    BodyHooks hooks("sh -c 'cp \"$0\" \"$0.copy\"'", fds[1]);
    hooks.body_written(body, 3, "900150983cd24fb0d6963f7d28e17f72");
  }
  ::close(fds[1]);
  char line[512] = {};
  ssize_t n = ::read(fds[0], line, sizeof line - 1);
  ::close(fds[0]);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(line, static_cast<size_t>(n)),
            body + "\t3\t900150983cd24fb0d6963f7d28e17f72\n");
  EXPECT_EQ(read_file(body + ".copy"), "abc");
}

TEST(HttpScanner, LongUrlsAreCutInTheReport) {
  TempDir dir;
  std::string path = dir.file("req");
  write_file(path, "GET /" + std::string(20000, 'u') + " HTTP/1.1\r\n\r\n");
  flow::FlowInfo info;
  info.filename = "req";
  ScannerSelection http;
  http.enable = {"http"};
  ScanResult result;
  std::string error;
  ASSERT_TRUE(ScannerSet::select(http).scan_file(ScanTarget{info, path}, result, error));
  ASSERT_EQ(result.xml.size(), 2u);
  std::map<std::string, std::string> attrs(result.xml[0].attributes.begin(),
                                           result.xml[0].attributes.end());
  EXPECT_EQ(attrs["url"].size(), 8192u);
  EXPECT_EQ(attrs["url_length"], "20001");
}

TEST(HttpScanner, NonHttpFlowsAddNothing) {
  TempDir dir;
  std::string path = dir.file("tls");
  write_file(path, std::string("\x16\x03\x01\x00\x10", 5) + std::string(70000, 'x'));
  flow::FlowInfo info;
  info.filename = "tls";
  ScannerSelection http;
  http.enable = {"http"};
  ScanResult result;
  std::string error;
  ASSERT_TRUE(ScannerSet::select(http).scan_file(ScanTarget{info, path}, result, error));
  EXPECT_TRUE(result.xml.empty());
  EXPECT_TRUE(result.jsonl.empty());
  // The run says so at once, so scan_file stops reading the flow early.
  auto scanner = make_http_scanner(ScannerOptions{});
  std::string tls_path = path;
  auto run = scanner->begin(ScanTarget{info, tls_path});
  ASSERT_TRUE(run);
  EXPECT_TRUE(run->wants_more());
  run->update(ByteView(std::string_view("\x16\x03\x01", 3)));
  EXPECT_FALSE(run->wants_more());
}

}  // namespace
}  // namespace tcpflow::scanners::http
