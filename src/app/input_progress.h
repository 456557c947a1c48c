// The progress line over many input files ("3/1000 files, 12.0 MB, ...").
// It helps over thousands of files, but only a person watching wants it, so
// it is shown only with more than one file and stderr on a terminal.
#pragma once
#include <chrono>
#include <cstddef>

#include "util/stats.h"

namespace tcpflow::app {

class InputProgress {
 public:
  InputProgress(size_t total_files, const Stats& stats);
  ~InputProgress();  // ends the line
  InputProgress(const InputProgress&) = delete;
  InputProgress& operator=(const InputProgress&) = delete;

  void file_done();

 private:
  const size_t total_;
  const Stats& stats_;
  const bool shown_;
  size_t done_ = 0;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace tcpflow::app
