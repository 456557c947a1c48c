// libFuzzer target: the http scanner's parser (scanners/http_parser.h) with
// its chunked decoder, and the gzip/deflate path (scanners/http_inflate.h).
//
// Input: [options][seed][stream bytes...]. options bit 0-1: the role
// (unknown, request, response, unknown); bits 2-3: the output cap (0, 1,
// 4096, 1 MiB); bit 4: force a coding on every body (gzip if bit 5 else
// deflate) instead of the message's Content-Encoding; bit 6: small limits
// (line 40, 3 fields). `seed` drives how the stream is cut into pieces
// (1 to 64 bytes), so the same stream is also parsed whole and the two runs
// must agree.
//
// Invariants (abort with INVARIANT FAILED): decoded output per body never
// exceeds the cap; body bytes never exceed the input; offsets grow and stay
// inside the stream; heads and ends alternate; whole and cut parses agree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "scanners/http_inflate.h"
#include "scanners/http_parser.h"

using namespace tcpflow;
using namespace tcpflow::scanners::http;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "INVARIANT FAILED: %s\n", what);
  std::abort();
}

class Checker : public Handler {
 public:
  Checker(uint64_t cap, int forced, uint64_t size) : cap_(cap), forced_(forced), size_(size) {}

  std::string answered_method() override {
    static const char* const kMethods[] = {"GET", "HEAD", "CONNECT", "POST", ""};
    return kMethods[(calls_++) % 5];
  }
  void on_head(const MessageHead& head) override {
    if (open_) fail("head inside a message");
    if (head.offset < last_offset_ || head.body_offset > size_ || head.body_offset <= head.offset)
      fail("offsets out of order or outside the stream");
    last_offset_ = head.body_offset;
    open_ = true;
    Coding coding = forced_ == 1 ? Coding::kGzip : forced_ == 2 ? Coding::kDeflate
                                                                : content_coding(head.content_encoding);
    body_out_ = 0;
    inflater_.reset();
    if (coding == Coding::kGzip || coding == Coding::kDeflate) {
      inflater_ = std::make_unique<Inflater>(coding, cap_, [this](ByteView out) {
        body_out_ += out.size();
        if (body_out_ > cap_) fail("decoded output beyond the cap");
      });
    }
    summary_ += "H" + std::to_string(head.offset) + "," + std::to_string(head.body_offset) + "," +
                std::to_string(static_cast<int>(head.framing)) + ";";
  }
  void on_body(ByteView data) override {
    if (!open_) fail("body outside a message");
    body_in_ += data.size();
    if (body_in_ > size_) fail("more body bytes than input");
    if (inflater_) inflater_->feed(data);
    summary_ += "B" + std::to_string(data.size());
  }
  void on_end(End end) override {
    if (!open_) fail("end without a head");
    open_ = false;
    if (inflater_) {
      inflater_->finish();
      if (inflater_->output_bytes() > cap_) fail("inflater reports more than the cap");
    }
    summary_ += "E" + std::to_string(static_cast<int>(end)) + ";";
  }

  // Body pieces are joined: the summary must not depend on the cuts.
  std::string normalized() const {
    std::string out;
    uint64_t pending = 0;
    for (size_t i = 0; i < summary_.size();) {
      if (summary_[i] == 'B') {
        size_t j = i + 1;
        while (j < summary_.size() && summary_[j] >= '0' && summary_[j] <= '9') ++j;
        pending += std::strtoull(summary_.substr(i + 1, j - i - 1).c_str(), nullptr, 10);
        i = j;
        continue;
      }
      if (pending) out += "B" + std::to_string(pending);
      pending = 0;
      out += summary_[i++];
    }
    return out;
  }

 private:
  uint64_t cap_;
  int forced_;
  uint64_t size_;
  int calls_ = 0;
  bool open_ = false;
  uint64_t last_offset_ = 0;
  uint64_t body_in_ = 0;
  uint64_t body_out_ = 0;
  std::unique_ptr<Inflater> inflater_;
  std::string summary_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t options = data[0];
  uint32_t seed = data[1] | 1u;
  ByteView stream(data + 2, size - 2);
  static const Role kRoles[] = {Role::kUnknown, Role::kRequest, Role::kResponse, Role::kUnknown};
  static const uint64_t kCaps[] = {0, 1, 4096, 1 << 20};
  Role role = kRoles[options & 3];
  uint64_t cap = kCaps[(options >> 2) & 3];
  int forced = options & 0x10 ? (options & 0x20 ? 1 : 2) : 0;
  Limits limits;
  if (options & 0x40) {
    limits.max_line = 40;
    limits.max_fields = 3;
  }

  Checker whole(cap, forced, stream.size());
  Parser p1(role, whole, limits);
  p1.feed(stream);
  p1.finish();

  Checker cut(cap, forced, stream.size());
  Parser p2(role, cut, limits);
  size_t at = 0;
  while (at < stream.size()) {
    seed = seed * 1103515245u + 12345u;
    size_t n = 1 + (seed >> 16) % 64;
    p2.feed(stream.subview(at, n));
    at += n;
  }
  p2.finish();

  if (whole.normalized() != cut.normalized() || p1.stop() != p2.stop() ||
      p1.stop_offset() != p2.stop_offset() || p1.messages() != p2.messages()) {
    std::fprintf(stderr, "whole: stop %d at %llu, %s\ncut:   stop %d at %llu, %s\n",
                 static_cast<int>(p1.stop()), static_cast<unsigned long long>(p1.stop_offset()),
                 whole.normalized().c_str(), static_cast<int>(p2.stop()),
                 static_cast<unsigned long long>(p2.stop_offset()), cut.normalized().c_str());
    fail("whole and cut parses differ");
  }
  return 0;
}
