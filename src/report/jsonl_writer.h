// Writes flows.jsonl: one JSON object per closed flow direction per line,
// flushed per line so a killed run keeps every complete line. The members
// mirror report.xml's <fileobject> (see FORMAT.md); strings use the same
// reversible escaping (text_escape.h), so any bytes in a name still give
// valid UTF-8 JSON.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flow/connection_record.h"
#include "flow/flow_info.h"

namespace tcpflow::report {

class JsonlWriter {
 public:
  // Throws tcpflow::Error if the file cannot be created.
  explicit JsonlWriter(const std::string& path);
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  // `extra_string_fields` (e.g. {"md5", hex}) are added as string members
  // after the standard ones; a name that clashes with a standard member is
  // written with an "extra_" prefix instead of producing a duplicate key.
  // shard_seq (--shard runs): written first, as "shard_seq", for the merge.
  void write(const flow::FlowInfo& info,
             const std::vector<std::pair<std::string, std::string>>& extra_string_fields = {},
             uint64_t shard_seq = 0);

  // One {"record":"connection",...} line per connection (connection_format.h).
  void write_connection(const flow::ConnectionRecord& record, uint64_t shard_seq = 0);
  // A line built elsewhere (a scanner's {"record":...} object), without newline.
  void write_record(const std::string& line, uint64_t shard_seq = 0) {
    if (file_) write_line(with_shard_seq(line, shard_seq));
  }
  // `line` (a JSON object) with "shard_seq" as its first member (0: unchanged).
  static std::string with_shard_seq(std::string line, uint64_t shard_seq);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  uint64_t lines_written() const { return lines_; }

  // The line write() would produce, without the newline (for tests and the
  // console's -J mode).
  static std::string format(const flow::FlowInfo& info,
                            const std::vector<std::pair<std::string, std::string>>& extra = {},
                            uint64_t shard_seq = 0);

 private:
  void write_line(std::string line);

  struct FileCloser {
    void operator()(FILE* file) const;
  };

  std::string path_;
  std::unique_ptr<FILE, FileCloser> file_;
  uint64_t lines_ = 0;
  std::string error_;
};

}  // namespace tcpflow::report
