#include "scanners/http_inflate.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <string>

namespace tcpflow::scanners::http {

namespace {

constexpr size_t kOutputBuffer = 64 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

Coding content_coding(std::string_view value) {
  Coding found = Coding::kIdentity;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    if (item.empty() || iequals(item, "identity")) continue;
    if (found != Coding::kIdentity) return Coding::kOther;  // stacked codings: kept as sent
    if (iequals(item, "gzip") || iequals(item, "x-gzip")) {
      found = Coding::kGzip;
    } else if (iequals(item, "deflate")) {
      found = Coding::kDeflate;
    } else {
      found = Coding::kOther;
    }
  }
  return found;
}

Coding body_coding(std::string_view content_encoding, std::string_view transfer_encoding) {
  std::string codings(content_encoding);
  while (!transfer_encoding.empty()) {
    size_t comma = transfer_encoding.find(',');
    std::string_view item = trim(transfer_encoding.substr(0, comma));
    transfer_encoding =
        comma == std::string_view::npos ? std::string_view{} : transfer_encoding.substr(comma + 1);
    if (item.empty() || iequals(item, "chunked")) continue;
    codings.append(",").append(item);
  }
  return content_coding(codings);
}

// The zlib stream and its output buffer, released together.
struct Inflater::Stream {
  z_stream z{};
  bool ready = false;
  std::unique_ptr<uint8_t[]> buffer = std::make_unique<uint8_t[]>(kOutputBuffer);
  ~Stream() {
    if (ready) inflateEnd(&z);
  }
};

Inflater::Inflater(Coding coding, uint64_t max_output, Output out)
    : coding_(coding), max_output_(max_output), out_(std::move(out)) {}

Inflater::~Inflater() = default;

bool Inflater::start(bool zlib_wrapped) {
  stream_ = std::make_unique<Stream>();
  // gzip: 32 + MAX_WBITS also accepts a zlib header, which some servers send
  // under the gzip label. deflate: the caller looked at the first two bytes.
  int bits = coding_ == Coding::kGzip ? 32 + MAX_WBITS : zlib_wrapped ? MAX_WBITS : -MAX_WBITS;
  if (inflateInit2(&stream_->z, bits) != Z_OK) {
    failed_ = true;
    return false;
  }
  stream_->ready = true;
  return true;
}

bool Inflater::feed(ByteView in) {
  if (failed_) return false;
  if (capped_ || ignoring_ || in.empty()) return true;
  if (!stream_) {
    if (coding_ == Coding::kGzip) {
      if (!start(true)) return false;
    } else {
      while (head_size_ < 2 && !in.empty()) {
        head_[head_size_++] = in[0];
        in = in.subview(1);
      }
      if (head_size_ < 2) return true;
      // A zlib header: compression method 8, window <= 32 KiB, and the
      // 16-bit header a multiple of 31. Raw deflate rarely passes all three.
      unsigned cmf = head_[0], flg = head_[1];
      bool zlib = (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
      if (!start(zlib) || !run(ByteView(head_, 2))) return false;
    }
  }
  return run(in);
}

bool Inflater::run(ByteView in) {
  z_stream& z = stream_->z;
  while (!in.empty()) {
    size_t piece = std::min<size_t>(in.size(), std::numeric_limits<uInt>::max());
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(piece);
    in = in.subview(piece);
    for (;;) {
      if (ended_) {
        // Another gzip member may follow (concatenated gzip files); any
        // other trailing bytes are ignored, as browsers do.
        if (z.avail_in == 0 || coding_ != Coding::kGzip || *z.next_in != 0x1f) break;
        inflateReset(&z);
        ended_ = false;
        extra_ = true;
      }
      uint64_t room = max_output_ - produced_;
      // One byte more than the room left, to learn whether output goes past the cap.
      size_t size = static_cast<size_t>(std::min<uint64_t>(kOutputBuffer, room + 1));
      z.next_out = stream_->buffer.get();
      z.avail_out = static_cast<uInt>(size);
      int rc = inflate(&z, Z_NO_FLUSH);
      size_t got = size - z.avail_out;
      if (got > 0) {
        size_t keep = static_cast<size_t>(std::min<uint64_t>(got, room));
        if (keep > 0) out_(ByteView(stream_->buffer.get(), keep));
        produced_ += keep;
        if (got > room) {
          capped_ = true;
          return true;
        }
      }
      if (rc == Z_STREAM_END) {
        ended_ = true;
        continue;
      }
      if (rc == Z_BUF_ERROR) break;  // needs more input
      if (rc != Z_OK) {
        if (extra_) {
          // Garbage after a complete gzip member that happened to start
          // with 0x1f: ignored like any other trailing bytes.
          ignoring_ = true;
          return true;
        }
        failed_ = true;
        return false;
      }
      if (z.avail_in == 0 && z.avail_out != 0) break;
    }
    if (ended_ && coding_ != Coding::kGzip) break;
  }
  return true;
}

bool Inflater::finish() {
  if (failed_) return false;
  if (capped_) return true;
  if (!stream_) {
    if (head_size_ == 0) return true;  // no body bytes at all
    failed_ = true;                     // one byte cannot be a deflate stream
    return false;
  }
  if (!ended_ && !extra_ && !ignoring_) failed_ = true;
  return !failed_;
}

}  // namespace tcpflow::scanners::http
