#include "scanners/http_body.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace tcpflow::scanners::http {

namespace {

struct TypeExtension {
  std::string_view type;
  std::string_view extension;
};

// Common types only: a body's name must never depend on anything but the
// flow name, a counter and this table.
constexpr TypeExtension kExtensions[] = {
    {"text/html", ".html"},
    {"application/xhtml+xml", ".xhtml"},
    {"text/plain", ".txt"},
    {"text/css", ".css"},
    {"text/csv", ".csv"},
    {"text/javascript", ".js"},
    {"application/javascript", ".js"},
    {"application/x-javascript", ".js"},
    {"application/json", ".json"},
    {"application/ld+json", ".json"},
    {"text/xml", ".xml"},
    {"application/xml", ".xml"},
    {"application/rss+xml", ".rss"},
    {"application/atom+xml", ".atom"},
    {"image/png", ".png"},
    {"image/jpeg", ".jpg"},
    {"image/jpg", ".jpg"},
    {"image/gif", ".gif"},
    {"image/webp", ".webp"},
    {"image/avif", ".avif"},
    {"image/bmp", ".bmp"},
    {"image/svg+xml", ".svg"},
    {"image/x-icon", ".ico"},
    {"image/vnd.microsoft.icon", ".ico"},
    {"application/pdf", ".pdf"},
    {"application/zip", ".zip"},
    {"application/gzip", ".gz"},
    {"application/x-gzip", ".gz"},
    {"application/octet-stream", ".bin"},
    {"application/wasm", ".wasm"},
    {"font/woff", ".woff"},
    {"font/woff2", ".woff2"},
    {"audio/mpeg", ".mp3"},
    {"video/mp4", ".mp4"},
    {"video/webm", ".webm"},
};

constexpr size_t kReadBuffer = 64 * 1024;

// Closes an fd on every path out of a scope.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string_view body_extension(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  for (const auto& entry : kExtensions) {
    if (entry.type.size() != type.size()) continue;
    bool same = std::equal(type.begin(), type.end(), entry.type.begin(), [](char a, char b) {
      return (a >= 'A' && a <= 'Z' ? static_cast<char>(a + 32) : a) == b;
    });
    if (same) return entry.extension;
  }
  return {};
}

BodyWriter::BodyWriter(BodySource source, std::string_view extension, unsigned& counter,
                       Coding coding, uint64_t max_body)
    : source_(std::move(source)), extension_(extension), counter_(counter), max_body_(max_body),
      md5_(std::make_unique<Md5>()) {
  if (coding == Coding::kGzip || coding == Coding::kDeflate) {
    inflater_ = std::make_unique<Inflater>(coding, max_body, [this](ByteView out) { emit(out); });
  }
}

BodyWriter::~BodyWriter() { close_file(); }

bool BodyWriter::open_file() {
  if (fd_ >= 0) return true;
  if (!facts_.write_error.empty()) return false;
  char number[24];
  std::snprintf(number, sizeof number, "%03u", counter_ + 1);
  std::string suffix = std::string("-HTTPBODY-") + number + extension_;
  std::string path = source_.flow_path + suffix;
  // O_NOFOLLOW: a planted symlink in the output directory is not followed.
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd_ < 0) {
    facts_.write_error = path + ": " + std::strerror(errno);
    return false;
  }
  ++counter_;
  facts_.suffix = std::move(suffix);
  return true;
}

void BodyWriter::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void BodyWriter::emit(ByteView data) {
  if (data.empty() || !open_file()) return;
  md5_->update(data);
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(facts_.size));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      facts_.write_error = path() + ": " + std::strerror(n < 0 ? errno : ENOSPC);
      close_file();
      return;
    }
    facts_.size += static_cast<uint64_t>(n);
    data = data.subview(static_cast<size_t>(n));
  }
}

// Raw bytes count against the same cap as decoded ones.
void BodyWriter::emit_raw(ByteView data) {
  uint64_t room = max_body_ - std::min(max_body_, facts_.size);
  if (data.size() > room) {
    facts_.capped = true;
    data = data.first(static_cast<size_t>(room));
  }
  emit(data);
}

void BodyWriter::write(ByteView raw) {
  facts_.received += raw.size();
  if (inflater_) {
    if (inflater_->feed(raw)) return;
    fall_back_to_raw(facts_.received - raw.size());
  }
  emit_raw(raw);
}

// Decoding failed: start the file again with the body as received. The
// bytes handed to the inflater so far are re-read from the flow file.
void BodyWriter::fall_back_to_raw(uint64_t received_before) {
  inflater_.reset();
  facts_.decompress_failed = true;
  facts_.capped = false;
  md5_ = std::make_unique<Md5>();
  if (fd_ >= 0 && ::ftruncate(fd_, 0) != 0) {
    facts_.write_error = path() + ": " + std::strerror(errno);
    close_file();
  }
  facts_.size = 0;
  replay(received_before);
}

void BodyWriter::replay(uint64_t count) {
  if (count == 0) return;
  FdCloser in{::open(source_.flow_path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    facts_.write_error = source_.flow_path + ": " + std::strerror(errno);
    return;
  }
  ChunkedDecoder chunked(source_.limits.max_line, source_.limits.max_fields);
  std::vector<uint8_t> buffer(kReadBuffer);
  uint64_t offset = source_.body_offset;
  while (count > 0) {
    ssize_t n = ::pread(in.fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    offset += static_cast<uint64_t>(n);
    ByteView data(buffer.data(), static_cast<size_t>(n));
    while (!data.empty() && count > 0) {
      ByteView piece = data;
      size_t used = data.size();
      if (source_.framing == Framing::kChunked) {
        if (chunked.done() || chunked.failed()) return;
        ChunkedDecoder::Step step = chunked.step(data);
        piece = step.data;
        used = step.consumed;
      }
      piece = piece.first(static_cast<size_t>(std::min<uint64_t>(piece.size(), count)));
      emit_raw(piece);
      count -= piece.size();
      data = data.subview(used);
    }
  }
}

void BodyWriter::finish(bool complete) {
  if (inflater_) {
    if (complete && !inflater_->finish()) {
      fall_back_to_raw(facts_.received);
    } else {
      facts_.capped = facts_.capped || inflater_->capped();
      facts_.decoded = true;
    }
  }
  close_file();
  if (!facts_.suffix.empty()) facts_.md5 = md5_->hex_digest();
}

}  // namespace tcpflow::scanners::http
