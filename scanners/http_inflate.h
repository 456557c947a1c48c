// Streaming zlib decoding of an HTTP Content-Encoding (gzip, x-gzip,
// deflate), with an output cap so a small body cannot expand into gigabytes
// (a "gzip bomb"). "deflate" is meant to be zlib-wrapped (RFC 9110 section
// 8.4.1.2) but many servers send raw deflate, so the first two bytes decide.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "util/byte_view.h"

namespace tcpflow::scanners::http {

enum class Coding : uint8_t { kIdentity, kGzip, kDeflate, kOther };

// The single content coding named by a Content-Encoding value: identity for
// none, kOther for unknown codings or more than one coding.
Coding content_coding(std::string_view content_encoding);

// The coding of a de-chunked body: the Content-Encoding plus any transfer
// codings other than "chunked" ("Transfer-Encoding: gzip, chunked" sends a
// gzipped body). Same answers as content_coding on the combined list.
Coding body_coding(std::string_view content_encoding, std::string_view transfer_encoding);

class Inflater {
 public:
  using Output = std::function<void(ByteView)>;

  // At most `max_output` bytes are handed to `out`; anything beyond is
  // dropped without being decompressed and capped() becomes true.
  Inflater(Coding coding, uint64_t max_output, Output out);
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Returns false once the data is found not to be valid for the coding.
  bool feed(ByteView in);
  // The body has ended: false if the compressed stream is incomplete.
  bool finish();

  bool failed() const { return failed_; }
  bool capped() const { return capped_; }
  uint64_t output_bytes() const { return produced_; }

 private:
  struct Stream;
  bool start(bool zlib_wrapped);
  bool run(ByteView in);

  Coding coding_;
  uint64_t max_output_;
  Output out_;
  std::unique_ptr<Stream> stream_;  // created once the format is known
  uint8_t head_[2] = {0, 0};        // deflate: the first bytes, until two are known
  size_t head_size_ = 0;
  bool ended_ = false;              // the compressed stream ended (trailing bytes ignored)
  bool extra_ = false;              // gzip: inside a member after a complete one
  bool ignoring_ = false;           // the rest of the body is trailing garbage
  bool failed_ = false;
  bool capped_ = false;
  uint64_t produced_ = 0;
};

}  // namespace tcpflow::scanners::http
