#include "scanners/scan_http.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include "report/flow_format.h"
#include "scanners/http_body.h"
#include "scanners/http_command.h"
#include "scanners/http_parser.h"
#include "scanners/http_record.h"
#include "util/alert_fd.h"
#include "util/error.h"

namespace tcpflow::scanners {

namespace {

using http::End;
using http::Framing;
using http::MessageHead;
using http::Role;

// Past this many messages, or this many bytes of attributes, in one flow the
// report stops listing them (bodies are still written): the entry is held in
// memory until the flow is recorded, so it must stay bounded.
constexpr uint64_t kMaxReportedMessages = 100000;
constexpr uint64_t kMaxReportedBytes = 16 << 20;
// URLs longer than this are cut in the report (url_length gives the size).
constexpr size_t kMaxReportedUrl = 8 * 1024;

size_t attribute_bytes(const report::XmlChild& child) {
  size_t n = 0;
  for (const auto& [name, value] : child.attributes) n += name.size() + value.size() + 4;
  return n;
}

const char* framing_name(Framing framing) {
  switch (framing) {
    case Framing::kNone: return "none";
    case Framing::kLength: return "length";
    case Framing::kChunked: return "chunked";
    case Framing::kUntilClose: return "close";
  }
  return "none";
}

// The requests of the other direction (method and URL), read lazily and in
// order, so responses to HEAD and CONNECT are framed right and each response
// names the request it answers. Memory stays bounded: the peer file is
// parsed one read at a time, only as far as needed.
class PeerRequests : private http::Handler {
 public:
  explicit PeerRequests(const std::string& path)
      : fd_(path.empty() ? -1 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC)),
        parser_(Role::kRequest, *this) {}
  ~PeerRequests() override {
    if (fd_ >= 0) ::close(fd_);
  }
  PeerRequests(const PeerRequests&) = delete;
  PeerRequests& operator=(const PeerRequests&) = delete;

  struct Request {
    std::string method;
    std::string url;
  };

  // Empty method: no request left (or no peer file).
  Request next_request() {
    while (requests_.empty() && fd_ >= 0 && !parser_.stopped()) {
      if (buffer_.empty()) buffer_.resize(64 * 1024);
      ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        parser_.finish();
        break;
      }
      parser_.feed(ByteView(buffer_.data(), static_cast<size_t>(n)));
    }
    if (requests_.empty()) return {};
    Request request = std::move(requests_.front());
    requests_.pop_front();
    return request;
  }

 private:
  void on_head(const MessageHead& head) override {
    requests_.push_back(Request{head.method, head.target.substr(0, kMaxReportedUrl)});
  }
  void on_body(ByteView) override {}
  void on_end(End) override {}

  int fd_;
  http::Parser parser_;
  std::vector<uint8_t> buffer_;
  std::deque<Request> requests_;
};

class HttpRun : public ScanRun, private http::Handler {
 public:
  HttpRun(const ScannerOptions& options, http::BodyHooks& hooks, const ScanTarget& target)
      : options_(options), hooks_(hooks), path_(target.path),
        filename_(target.info.filename), peer_path_(target.peer_path ? *target.peer_path : ""),
        info_(target.info), parser_(Role::kUnknown, *this, limits_) {}

  void update(ByteView chunk) override {
    if (!parser_.stopped()) parser_.feed(chunk);
  }
  bool wants_more() const override { return !parser_.stopped(); }

  void finish(ScanResult& result) override {
    parser_.finish();
    if (parser_.stop() == http::Stop::kNotHttp) return;  // not HTTP: nothing to say
    children_count_ = children_.size();
    for (auto& child : children_) {
      result.jsonl_records.push_back(http_json_record(info_, child));
      result.xml.push_back(std::move(child));
    }
    auto stream = report::XmlChild::leaf("http_stream");
    stream.attr("role", parser_.role() == Role::kResponse ? "response" : "request")
        .attr("messages", std::to_string(parser_.messages()))
        .attr("bodies", std::to_string(bodies_))
        .attr("end", http::stop_name(parser_.stop()))
        .attr("end_offset", std::to_string(parser_.stop_offset()));
    if (*parser_.stop_detail()) stream.attr("detail", parser_.stop_detail());
    if (parser_.resyncs() > 0) stream.attr("resynced", std::to_string(parser_.resyncs()));
    if (parser_.messages() > children_count_) {
      stream.attr("unreported", std::to_string(parser_.messages() - children_count_));
    }
    result.xml.push_back(std::move(stream));
    result.jsonl.emplace_back("http", std::to_string(parser_.messages()));
    result.stats.add(Counter::kHttpMessages, parser_.messages());
    result.stats.add(Counter::kHttpBodyFiles, bodies_);
    if (parser_.stop() == http::Stop::kMalformed) result.stats.add(Counter::kHttpMalformedFlows);
    result.stats.add(Counter::kHttpDecompressFailed, decompress_failed_);
    result.stats.add(Counter::kHttpBodiesCapped, capped_);
  }

 private:
  std::string answered_method() override {
    if (!peer_) peer_ = std::make_unique<PeerRequests>(peer_path_);
    PeerRequests::Request request = peer_->next_request();
    answered_url_ = std::move(request.url);
    return std::move(request.method);
  }

  void on_head(const MessageHead& head) override {
    message_ = report::XmlChild::leaf("http");
    bool request = head.kind == Role::kRequest;
    message_.attr("kind", request ? "request" : "response")
        .attr("offset", std::to_string(head.offset));
    if (info_.write_times) {
      if (std::optional<Timestamp> ts = info_.write_times->at(head.offset)) {
        message_.attr("time", report::iso8601_utc(*ts));
      }
    }
    if (!request) message_.attr("status", std::to_string(head.status));
    if (!head.method.empty()) message_.attr(request ? "method" : "request_method", head.method);
    if (!request && !head.method.empty()) message_.attr("request_url", answered_url_);
    answered_url_.clear();
    if (request) {
      message_.attr("url", head.target.substr(0, kMaxReportedUrl));
      if (head.target.size() > kMaxReportedUrl) {
        message_.attr("url_length", std::to_string(head.target.size()));
      }
    }
    if (!head.host.empty()) message_.attr("host", head.host);
    message_.attr("version", "1." + std::to_string(head.version_minor));
    if (!head.content_type.empty()) message_.attr("content_type", head.content_type);
    if (!head.transfer_encoding.empty()) {
      message_.attr("transfer_encoding", head.transfer_encoding);
    }
    if (!head.content_encoding.empty()) message_.attr("content_encoding", head.content_encoding);
    if (head.framing == Framing::kNone) return;
    message_.attr("framing", framing_name(head.framing))
        .attr("body_offset", std::to_string(head.body_offset));
    http::Coding coding = options_.decompress_http
                              ? http::body_coding(head.content_encoding, head.transfer_encoding)
                              : http::Coding::kIdentity;
    http::BodySource source{path_, head.body_offset, head.framing, limits_};
    body_ = std::make_unique<http::BodyWriter>(std::move(source),
                                               http::body_extension(head.content_type),
                                               body_counter_, coding, options_.http_max_body);
  }

  void on_body(ByteView data) override {
    if (body_) body_->write(data);
  }

  void on_end(End end) override {
    std::string flags;
    auto flag = [&flags](const char* name) {
      if (!flags.empty()) flags += ',';
      flags += name;
    };
    if (end == End::kTruncated) flag("truncated");
    if (end == End::kMalformed) flag("malformed");
    if (body_) {
      body_->finish(end == End::kComplete);
      const http::BodyFacts& facts = body_->facts();
      message_.attr("body_length", std::to_string(facts.received));
      if (!facts.suffix.empty()) {
        ++bodies_;
        message_.attr("body", filename_ + facts.suffix)
            .attr("body_size", std::to_string(facts.size))
            .attr("body_md5", facts.md5);
        if (facts.decoded) message_.attr("decoded", "1");
      }
      if (facts.decompress_failed) {
        flag("decompress_failed");
        ++decompress_failed_;
      }
      if (facts.capped) {
        flag("body_capped");
        ++capped_;
      }
      if (!facts.write_error.empty()) {
        flag("write_failed");
        std::fprintf(stderr, "tcpflow: http: %s\n", facts.write_error.c_str());
      }
      if (!facts.suffix.empty()) hooks_.body_written(body_->path(), facts.size, facts.md5);
      body_.reset();
    }
    if (!flags.empty()) message_.attr("flags", flags);
    report_bytes_ += attribute_bytes(message_);
    if (children_.size() < kMaxReportedMessages && report_bytes_ <= kMaxReportedBytes) {
      children_.push_back(std::move(message_));
    }
    message_ = {};
  }

  const ScannerOptions& options_;
  http::BodyHooks& hooks_;
  std::string path_;
  std::string filename_;
  std::string peer_path_;
  const flow::FlowInfo& info_;
  std::string answered_url_;  // the URL of the request the next response answers
  http::Limits limits_;
  http::Parser parser_;
  std::unique_ptr<PeerRequests> peer_;
  report::XmlChild message_;
  std::unique_ptr<http::BodyWriter> body_;
  std::vector<report::XmlChild> children_;
  unsigned body_counter_ = 0;
  uint64_t bodies_ = 0;
  uint64_t report_bytes_ = 0;
  uint64_t decompress_failed_ = 0;
  uint64_t capped_ = 0;
  uint64_t children_count_ = 0;
};

class HttpScanner : public Scanner {
 public:
  explicit HttpScanner(const ScannerOptions& options)
      : options_(options), hooks_(options.http_cmd, options.http_alert_fd) {}

  std::string_view name() const override { return "http"; }
  std::string_view description() const override {
    return "HTTP/1.x bodies to FLOW-HTTPBODY-NNN[.ext] (gunzipped unless -Z), "
           "<tcpflow:http> per message";
  }
  std::string_view settings_help() const override {
    return "http_max_body=67108864  bytes per body file (caps decompression bombs)\n"
           "http_cmd=  command run with each body file's path appended (words as for tcp_cmd)\n"
           "http_alert_fd=-1  write \"BODYFILE<TAB>SIZE<TAB>MD5\" per body file to this fd";
  }
  // A bad -S http_alert_fd is a setup error, as for tcp_alert_fd: better
  // than finding out at the first body.
  void setup() override {
    if (options_.http_alert_fd >= 0) check_alert_fd(options_.http_alert_fd, "http_alert_fd");
  }
  std::unique_ptr<ScanRun> begin(const ScanTarget& target) override {
    return std::make_unique<HttpRun>(options_, hooks_, target);
  }

 private:
  ScannerOptions options_;
  http::BodyHooks hooks_;
};

}  // namespace

std::unique_ptr<Scanner> make_http_scanner(const ScannerOptions& options) {
  return std::make_unique<HttpScanner>(options);
}

}  // namespace tcpflow::scanners
