#include "capture/file_source.h"

#include <utility>

namespace tcpflow::capture {

ReadStatus FileSource::input_ended(bool at_boundary) {
  if (in_.failed()) {
    error_ = "read error: " + in_.error();
    // Any bytes read before the error are a partial record.
    truncated_ = in_.available() > 0 || !at_boundary;
  } else if (in_.available() > 0 || !at_boundary) {
    error_ = "truncated inside a record (" + std::to_string(in_.available()) +
             " bytes left at the end)";
    truncated_ = true;
  } else if (in_.gzip_truncated()) {
    error_ = std::string("truncated inside a record (the ") + in_.compression() +
             " stream ends early)";
    truncated_ = true;
  } else {
    finished_ = ReadStatus::kEnd;
    return finished_;
  }
  finished_ = ReadStatus::kError;
  return finished_;
}

ReadStatus FileSource::fail(std::string reason) {
  error_ = std::move(reason);
  finished_ = ReadStatus::kError;
  return finished_;
}

}  // namespace tcpflow::capture
