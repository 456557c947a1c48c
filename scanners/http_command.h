// What happens after a body file is written: -S http_cmd runs a command on
// it, -S http_alert_fd gets one line about it. Neither can stop the run.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "util/alert_fd.h"
#include "util/child_runner.h"

namespace tcpflow::scanners::http {

class BodyCommand {
 public:
  // Splits `command` into words as -S tcp_cmd does (util/command_words.h:
  // blanks separate, quotes group; no shell unless the user writes
  // "sh -c '...'"). Throws tcpflow::UsageError for an unclosed quote.
  explicit BodyCommand(const std::string& command);
  bool empty() const { return argv_.empty(); }
  // Runs the command with `path` appended as its last argument and waits for
  // it, so at most one runs at a time. A spawn failure, non-zero exit or
  // signal is reported on stderr and is never fatal.
  void run(const std::string& path);

 private:
  std::vector<std::string> argv_;
  std::unique_ptr<ChildRunner> runner_;
};

// Both hooks of a run, told about each body file once it is closed.
class BodyHooks {
 public:
  BodyHooks(const std::string& command, int alert_fd)
      : command_(command), alert_(alert_fd, "http_alert_fd") {}
  // The alert line first ("PATH\tSIZE\tMD5\n"), then the command. A failing
  // alert fd is reported once and not used again.
  void body_written(const std::string& path, uint64_t size, const std::string& md5);

 private:
  BodyCommand command_;
  AlertFd alert_;
};

}  // namespace tcpflow::scanners::http
