#include "app/input_progress.h"

#include <unistd.h>

#include <cstdio>

namespace tcpflow::app {

InputProgress::InputProgress(size_t total_files, const Stats& stats)
    : total_(total_files), stats_(stats), shown_(total_files > 1 && ::isatty(STDERR_FILENO)) {}

InputProgress::~InputProgress() {
  if (shown_) std::fputc('\n', stderr);
}

void InputProgress::file_done() {
  ++done_;
  if (!shown_) return;
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  double mb = static_cast<double>(stats_.get(Counter::kBytesRead)) / 1e6;
  std::fprintf(stderr, "\rtcpflow: %zu/%zu files, %.1f MB, %llu flows, %.1f MB/s   ", done_,
               total_, mb, static_cast<unsigned long long>(stats_.get(Counter::kFlowsCreated)),
               secs > 0 ? mb / secs : 0.0);
}

}  // namespace tcpflow::app
