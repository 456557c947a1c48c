// Writes one HTTP message body to FLOW-HTTPBODY-NNN[.ext] as it streams in:
// content decoding (gzip/deflate), the size cap, the MD5 of what is written.
// The file is created at the first byte to write, so an empty body leaves no
// file. If decoding fails part-way, the file is rewritten with the body as
// received, re-read from the flow file (the body is never held in memory).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "scanners/http_inflate.h"
#include "scanners/http_parser.h"
#include "scanners/scan_md5.h"
#include "util/byte_view.h"

namespace tcpflow::scanners::http {

// The file name extension for a Content-Type ("text/html; charset=x" ->
// ".html"); "" for types not in the table.
std::string_view body_extension(std::string_view content_type);

// Where the body lies in the flow file, to re-read it as received.
struct BodySource {
  std::string flow_path;
  uint64_t body_offset = 0;
  Framing framing = Framing::kNone;
  Limits limits;
};

struct BodyFacts {
  std::string suffix;          // "-HTTPBODY-001.html"; empty when no file was written
  uint64_t size = 0;           // bytes in the body file
  uint64_t received = 0;       // body bytes received, de-chunked, before content decoding
  std::string md5;             // of the file's contents (set by finish when a file exists)
  bool decoded = false;        // a content coding was removed
  bool decompress_failed = false;
  bool capped = false;         // output stopped at the size cap
  std::string write_error;     // creating or writing the file failed
};

class BodyWriter {
 public:
  // `counter` numbers this flow's body files; it is advanced when the file
  // is created. coding kIdentity or kOther: written as received.
  BodyWriter(BodySource source, std::string_view extension, unsigned& counter, Coding coding,
             uint64_t max_body);
  ~BodyWriter();
  BodyWriter(const BodyWriter&) = delete;
  BodyWriter& operator=(const BodyWriter&) = delete;

  void write(ByteView raw);
  // complete: the body ended where its framing says (an unfinished
  // compressed stream is then a decoding failure, not a truncation).
  void finish(bool complete);

  const BodyFacts& facts() const { return facts_; }
  std::string path() const { return source_.flow_path + facts_.suffix; }

 private:
  void emit(ByteView data);
  void emit_raw(ByteView data);
  void fall_back_to_raw(uint64_t received_before);
  void replay(uint64_t count);
  bool open_file();
  void close_file();

  BodySource source_;
  std::string extension_;
  unsigned& counter_;
  uint64_t max_body_;
  std::unique_ptr<Inflater> inflater_;
  std::unique_ptr<Md5> md5_;
  int fd_ = -1;
  BodyFacts facts_;
};

}  // namespace tcpflow::scanners::http
