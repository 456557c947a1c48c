// The HTTP message parser: framing rules, offsets, limits, and the same
// events whatever the chunking of the stream.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "scanners/http_parser.h"

namespace tcpflow::scanners::http {
namespace {

struct Message {
  MessageHead head;
  std::string body;
  End end = End::kComplete;
  bool ended = false;
};

// Records every event; body pieces are joined so that results compare
// equal however the input was cut.
class Recorder : public Handler {
 public:
  std::deque<std::string> methods;
  std::vector<Message> messages;
  int calls_for_method = 0;

  std::string answered_method() override {
    ++calls_for_method;
    if (methods.empty()) return {};
    std::string m = methods.front();
    methods.pop_front();
    return m;
  }
  void on_head(const MessageHead& head) override {
    EXPECT_TRUE(messages.empty() || messages.back().ended);
    messages.push_back(Message{head, {}, End::kComplete, false});
  }
  void on_body(ByteView data) override {
    ASSERT_FALSE(messages.empty());
    EXPECT_FALSE(data.empty());
    messages.back().body.append(data.as_chars());
  }
  void on_end(End end) override {
    ASSERT_FALSE(messages.empty());
    EXPECT_FALSE(messages.back().ended);
    messages.back().end = end;
    messages.back().ended = true;
  }
};

struct Outcome {
  std::vector<Message> messages;
  Stop stop;
  uint64_t stop_offset;
  Role role;
};

// Feeds `stream` cut at the given offsets (ascending), then finishes.
Outcome parse(std::string_view stream, std::vector<size_t> cuts = {}, Role role = Role::kUnknown,
              std::deque<std::string> methods = {}, Limits limits = {}) {
  Recorder rec;
  rec.methods = std::move(methods);
  Parser parser(role, rec, limits);
  size_t at = 0;
  cuts.push_back(stream.size());
  for (size_t cut : cuts) {
    parser.feed(ByteView(stream.substr(at, cut - at)));
    at = cut;
  }
  parser.finish();
  return Outcome{rec.messages, parser.stop(), parser.stop_offset(), parser.role()};
}

std::string describe(const Outcome& o) {
  std::string out = std::string(stop_name(o.stop)) + "@" + std::to_string(o.stop_offset) + "\n";
  for (const Message& m : o.messages) {
    const MessageHead& h = m.head;
    out += (h.kind == Role::kRequest ? "REQ " : "RSP ") + h.method + " " + h.target + " " +
           std::to_string(h.status) + " off=" + std::to_string(h.offset) +
           " body_off=" + std::to_string(h.body_offset) +
           " framing=" + std::to_string(static_cast<int>(h.framing)) + " host=" + h.host +
           " ct=" + h.content_type + " ce=" + h.content_encoding + " te=" + h.transfer_encoding +
           " body=[" + m.body + "] end=" + std::to_string(static_cast<int>(m.end)) +
           (m.ended ? "" : " (open)") + "\n";
  }
  return out;
}

const std::string kRequests =
    "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n"
    "POST /form HTTP/1.1\r\nHost: example.test\r\nContent-Type: text/plain\r\n"
    "Content-Length: 11\r\n\r\nhello world"
    "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;ext=1\r\nabcde\r\n3\r\nfgh\r\n0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n"
    "HEAD /h HTTP/1.0\r\n\r\n";

const std::string kResponses =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 5\r\n\r\n<p/>\n"
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
    "a\r\n0123456789\r\n00000001\r\nX\r\n0\r\nTrailer: yes\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"   // answers HEAD: no body
    "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n"
    "HTTP/1.1 304 Not Modified\r\nContent-Length: 3\r\n\r\n"
    "HTTP/1.0 200 OK\r\n\r\nuntil the end\r\nof the stream";

const std::deque<std::string> kMethods = {"GET", "POST", "HEAD", "GET", "GET", "GET"};

TEST(HttpParser, PipelinedRequestsWithOffsets) {
  Outcome o = parse(kRequests);
  EXPECT_EQ(o.role, Role::kRequest);
  EXPECT_EQ(o.stop, Stop::kEndOfStream);
  ASSERT_EQ(o.messages.size(), 4u);
  EXPECT_EQ(o.messages[0].head.method, "GET");
  EXPECT_EQ(o.messages[0].head.target, "/a");
  EXPECT_EQ(o.messages[0].head.host, "example.test");
  EXPECT_EQ(o.messages[0].head.offset, 0u);
  EXPECT_EQ(o.messages[0].head.framing, Framing::kNone);
  size_t post = kRequests.find("POST");
  EXPECT_EQ(o.messages[1].head.offset, post);
  EXPECT_EQ(o.messages[1].head.body_offset, kRequests.find("hello world"));
  EXPECT_EQ(o.messages[1].body, "hello world");
  EXPECT_EQ(o.messages[2].head.offset, kRequests.find("PUT"));
  EXPECT_EQ(o.messages[2].head.framing, Framing::kChunked);
  EXPECT_EQ(o.messages[2].head.body_offset, kRequests.find("5;ext"));
  EXPECT_EQ(o.messages[2].body, "abcdefgh");
  EXPECT_EQ(o.messages[3].head.method, "HEAD");
  EXPECT_EQ(o.messages[3].head.version_minor, 0);
  for (const Message& m : o.messages) EXPECT_EQ(m.end, End::kComplete);
}

TEST(HttpParser, ResponsesFollowRequestMethods) {
  Outcome o = parse(kResponses, {}, Role::kUnknown, kMethods);
  EXPECT_EQ(o.role, Role::kResponse);
  EXPECT_EQ(o.stop, Stop::kEndOfStream);
  ASSERT_EQ(o.messages.size(), 7u);
  EXPECT_EQ(o.messages[0].head.status, 100);
  EXPECT_EQ(o.messages[0].head.method, "");  // 1xx consumes no request
  EXPECT_EQ(o.messages[1].head.method, "GET");
  EXPECT_EQ(o.messages[1].body, "<p/>\n");
  EXPECT_EQ(o.messages[1].head.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(o.messages[2].head.method, "POST");
  EXPECT_EQ(o.messages[2].body, "0123456789X");
  EXPECT_EQ(o.messages[2].head.transfer_encoding, "gzip, chunked");
  EXPECT_EQ(o.messages[3].head.method, "HEAD");
  EXPECT_EQ(o.messages[3].head.framing, Framing::kNone);
  EXPECT_EQ(o.messages[4].head.status, 204);
  EXPECT_EQ(o.messages[4].head.framing, Framing::kNone);
  EXPECT_EQ(o.messages[5].head.status, 304);
  EXPECT_EQ(o.messages[5].head.framing, Framing::kNone);
  EXPECT_EQ(o.messages[6].head.framing, Framing::kUntilClose);
  EXPECT_EQ(o.messages[6].body, "until the end\r\nof the stream");
  EXPECT_EQ(o.messages[6].end, End::kComplete);
  EXPECT_EQ(o.messages[6].head.offset, kResponses.find("HTTP/1.0"));
}

TEST(HttpParser, WithoutMethodsAResponseToHeadIsReadAsGet) {
  std::string s = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyHTTP/1.1 200 OK\r\n\r\n";
  Outcome o = parse(s);
  ASSERT_EQ(o.messages.size(), 2u);
  EXPECT_EQ(o.messages[0].body, "body");
}

// The same events for every cut of the stream into two and three pieces,
// and for one byte at a time.
void expect_split_invariant(const std::string& stream, Role role,
                            const std::deque<std::string>& methods) {
  std::string whole = describe(parse(stream, {}, role, methods));
  for (size_t i = 0; i <= stream.size(); ++i) {
    ASSERT_EQ(describe(parse(stream, {i}, role, methods)), whole) << "cut at " << i;
    size_t j = (i * 7 + 3) % (stream.size() + 1);
    std::vector<size_t> cuts = {std::min(i, j), std::max(i, j)};
    ASSERT_EQ(describe(parse(stream, cuts, role, methods)), whole) << "cuts " << i << "," << j;
  }
  std::vector<size_t> bytes;
  for (size_t i = 1; i < stream.size(); ++i) bytes.push_back(i);
  EXPECT_EQ(describe(parse(stream, bytes, role, methods)), whole);
}

TEST(HttpParser, EveryChunkBoundaryGivesTheSameResult) {
  expect_split_invariant(kRequests, Role::kUnknown, {});
  expect_split_invariant(kResponses, Role::kUnknown, kMethods);
  // Bare LF line ends and leading blank lines between messages.
  expect_split_invariant(
      "\r\nGET / HTTP/1.1\nHost: h\n\n\r\n\r\nPOST / HTTP/1.1\nContent-Length: 2\n\nok", Role::kUnknown,
      {});
}

TEST(HttpParser, ChunkedTrailersAndExtensions) {
  std::string s =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4 ; name=\"v\"\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n"
      "Expires: never\r\nX-Sum: 1\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n!";
  Outcome o = parse(s);
  ASSERT_EQ(o.messages.size(), 2u);
  EXPECT_EQ(o.messages[0].body, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(o.messages[1].head.offset, s.rfind("HTTP/1.1"));
  EXPECT_EQ(o.messages[1].body, "!");
}

TEST(HttpParser, TruncatedBodies) {
  Outcome a = parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  ASSERT_EQ(a.messages.size(), 1u);
  EXPECT_EQ(a.messages[0].end, End::kTruncated);
  EXPECT_EQ(a.messages[0].body, "abc");
  Outcome b = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc");
  ASSERT_EQ(b.messages.size(), 1u);
  EXPECT_EQ(b.messages[0].end, End::kTruncated);
  Outcome c = parse("GET / HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(c.messages.empty());
  EXPECT_EQ(c.stop, Stop::kTruncatedHead);
}

TEST(HttpParser, NotHttpStopsAfterAFewBytes) {
  Recorder rec;
  Parser tls(Role::kUnknown, rec);
  tls.feed(ByteView(std::string_view("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
  EXPECT_EQ(tls.stop(), Stop::kNotHttp);
  EXPECT_EQ(tls.stop_offset(), 0u);  // refused at its first byte
  Parser ssh(Role::kUnknown, rec);
  ssh.feed(ByteView(std::string_view("SSH-2.0-OpenSSH_9.2p1 Debian\r\n")));
  EXPECT_EQ(ssh.stop(), Stop::kNotHttp);
  Parser words(Role::kUnknown, rec);
  words.feed(ByteView(std::string_view("averyveryverylongfirstwordwithoutspaces and more")));
  EXPECT_EQ(words.stop(), Stop::kNotHttp);
  Parser noversion(Role::kUnknown, rec);
  noversion.feed(ByteView(std::string_view("HELLO there friend\r\n")));
  EXPECT_EQ(noversion.stop(), Stop::kNotHttp);
  EXPECT_TRUE(rec.messages.empty());
  // A response stream is not taken as requests and vice versa.
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\n\r\n", {}, Role::kRequest).stop, Stop::kNotHttp);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n\r\n", {}, Role::kResponse).stop, Stop::kNotHttp);
}

TEST(HttpParser, MalformedHeadsStopTheFlow) {
  Limits small;
  small.max_line = 64;
  small.max_fields = 4;
  std::string ok = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  Outcome longline = parse(ok + "GET / HTTP/1.1\r\nX-Long: " + std::string(100, 'x') + "\r\n\r\n",
                           {}, Role::kUnknown, {}, small);
  EXPECT_EQ(longline.stop, Stop::kMalformed);
  EXPECT_EQ(longline.stop_offset, ok.size() + 16);
  EXPECT_EQ(longline.messages.size(), 1u);
  std::string many = ok + "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 5; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  Outcome toomany = parse(many + "\r\n", {}, Role::kUnknown, {}, small);
  EXPECT_EQ(toomany.stop, Stop::kMalformed);
  EXPECT_EQ(toomany.messages.size(), 1u);
  EXPECT_EQ(parse(ok + "GET / HTTP/1.1\r\nno colon here\r\n\r\n").stop, Stop::kMalformed);
  EXPECT_EQ(parse(ok + "GET / HTTP/1.1\r\nBad Name: v\r\n\r\n").stop, Stop::kMalformed);
  // Tolerated like browsers do: blanks before the colon, a stray CR after a chunk size.
  Outcome lenient = parse(
      "HTTP/1.1 200 OK\r\nContent-Encoding : gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(lenient.stop, Stop::kEndOfStream);
  ASSERT_EQ(lenient.messages.size(), 1u);
  EXPECT_EQ(lenient.messages[0].head.content_encoding, "gzip");
  EXPECT_EQ(lenient.messages[0].body, "abc");
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n").stop, Stop::kMalformed);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n").stop,
            Stop::kMalformed);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nok").messages[0].body, "ok");
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").stop, Stop::kMalformed);
  EXPECT_EQ(parse(ok + "garbage that is not a request\r\n").stop, Stop::kMalformed);
  Outcome badchunk = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  EXPECT_EQ(badchunk.stop, Stop::kMalformed);
  ASSERT_EQ(badchunk.messages.size(), 1u);
  EXPECT_EQ(badchunk.messages[0].end, End::kMalformed);
  Outcome nocrlf = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY\r\n");
  EXPECT_EQ(nocrlf.stop, Stop::kMalformed);
  // Obsolete folding continues the previous field.
  Outcome folded = parse("HTTP/1.1 200 OK\r\nContent-Encoding: gzip,\r\n  identity\r\n\r\n");
  ASSERT_EQ(folded.messages.size(), 1u);
  EXPECT_EQ(folded.messages[0].head.content_encoding, "gzip, identity");
  Outcome folded_other = parse("HTTP/1.1 200 OK\r\nConnection: close\r\n chunked\r\n\r\n");
  EXPECT_EQ(folded_other.messages.size(), 1u);
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\n folded\r\n\r\n").stop, Stop::kMalformed);
}

TEST(HttpParser, UpgradeAndConnectEndTheHttpPart) {
  Outcome up = parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
                     {}, Role::kUnknown, {"GET"});
  EXPECT_EQ(up.stop, Stop::kUpgrade);
  ASSERT_EQ(up.messages.size(), 1u);
  Outcome tunnel = parse("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01", {},
                         Role::kUnknown, {"CONNECT"});
  EXPECT_EQ(tunnel.stop, Stop::kTunnel);
  ASSERT_EQ(tunnel.messages.size(), 1u);
  EXPECT_EQ(tunnel.messages[0].head.framing, Framing::kNone);
  // A refused CONNECT keeps HTTP going.
  Outcome refused = parse(
      "HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nnoHTTP/1.1 200 OK\r\n\r\n\x16\x03", {},
      Role::kUnknown, {"CONNECT", "CONNECT"});
  EXPECT_EQ(refused.stop, Stop::kTunnel);
  EXPECT_EQ(refused.messages.size(), 2u);
  // Client side: CONNECT then TLS bytes is a tunnel, not a malformed flow.
  Outcome client = parse("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n\x16\x03\x01\x00");
  EXPECT_EQ(client.stop, Stop::kTunnel);
  Outcome ws = parse("GET /chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x85");
  EXPECT_EQ(ws.stop, Stop::kUpgrade);
  EXPECT_EQ(ws.messages.size(), 1u);
}

// A capture gap is written as zero bytes in the flow file: a response stream
// that runs into one skips to the next status line instead of ending there.
TEST(HttpParser, ResponsesResyncAfterAZeroFilledGap) {
  std::string stream = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  stream += std::string(40, '\0');
  stream += "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";
  Outcome whole = parse(stream, {}, Role::kResponse);
  ASSERT_EQ(whole.messages.size(), 2u) << describe(whole);
  EXPECT_EQ(whole.messages[0].body, "abc");
  EXPECT_EQ(whole.messages[1].head.status, 404);
  EXPECT_EQ(whole.messages[1].head.offset, stream.find("HTTP/1.1 404"));
  EXPECT_EQ(whole.messages[1].body, "no");
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    EXPECT_EQ(describe(parse(stream, {cut}, Role::kResponse)), describe(whole)) << cut;
  }
  // Requests do not resync: zeros where a request line belongs end the parse.
  std::string requests = "GET / HTTP/1.1\r\n\r\n" + std::string(8, '\0') + "GET /b HTTP/1.1\r\n\r\n";
  EXPECT_EQ(parse(requests, {}, Role::kRequest).messages.size(), 1u);
}

TEST(HttpParser, ResyncAfterATooLongChunkLineDoesNotDependOnTheCut) {
  // The chunk-size line is too long (limit 40) and holds a zero followed by
  // "HTTP/1.1" well before its end: fed whole, the line is rejected at its
  // end; fed in pieces, as soon as it is too long. The search for the next
  // response starts after the line's end either way (fuzz_http found this).
  std::string stream = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  size_t bad_line = stream.size();
  stream += "1e" + std::string(50, 'x') + std::string(4, '\0') + "HTTP/1.1 999\r\n";
  stream += "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno";
  Limits limits;
  limits.max_line = 40;
  Outcome whole = parse(stream, {}, Role::kResponse, {}, limits);
  ASSERT_EQ(whole.messages.size(), 2u) << describe(whole);
  EXPECT_EQ(whole.messages[1].head.status, 404);
  for (size_t cut = bad_line + 1; cut < stream.size(); ++cut) {
    EXPECT_EQ(describe(parse(stream, {cut}, Role::kResponse, {}, limits)), describe(whole)) << cut;
  }
  std::vector<size_t> bytes;
  for (size_t i = 1; i < stream.size(); ++i) bytes.push_back(i);
  EXPECT_EQ(describe(parse(stream, bytes, Role::kResponse, {}, limits)), describe(whole));
}

}  // namespace
}  // namespace tcpflow::scanners::http
