// What tcpflow tells the outside world about flow files as they come and go:
// -S tcp_alert_fd (a line on an inherited fd when a file opens and closes)
// and -S tcp_cmd (a command run on each closed flow file, at most
// -S tcp_cmd_jobs at once). Neither ever stops the run: failures are printed
// and counted.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "flow/flow_info.h"
#include "flow/process_info.h"
#include "util/alert_fd.h"
#include "util/child_runner.h"
#include "util/stats.h"

namespace tcpflow::app {

class FlowHooks {
 public:
  // Checks the settings before any packet is read: throws tcpflow::Error if
  // tcp_alert_fd is not an fd open for writing, UsageError if tcp_cmd cannot
  // be split into words.
  FlowHooks(const Config& config, Stats& stats);
  ~FlowHooks();
  FlowHooks(const FlowHooks&) = delete;
  FlowHooks& operator=(const FlowHooks&) = delete;

  // tcp_alert_fd: "open\tPATH\n" and "close\tPATH\tBYTES\n".
  void file_opened(const std::string& path);
  void file_closed(const flow::FlowInfo& info, const std::string& path);

  // tcp_cmd, once the flow is in the report; `path` empty: no file, nothing
  // runs. `src`/`dst`: the processes of the flow's ends (--processes), or null.
  void flow_recorded(const flow::FlowInfo& info, const std::string& path,
                     const flow::ProcessInfo* src = nullptr,
                     const flow::ProcessInfo* dst = nullptr);

  // Waits for the commands still running (before the report's summary).
  void finish();

  // The TCPFLOW_* variables a command gets for this flow ("NAME=value").
  // TCPFLOW_SRC_PID, _UID, _USER, _CMD, _EXE (and DST_) are empty for an end
  // whose process is unknown.
  static std::vector<std::string> environment(const flow::FlowInfo& info,
                                              const std::string& path,
                                              const flow::ProcessInfo* src = nullptr,
                                              const flow::ProcessInfo* dst = nullptr);

 private:
  Stats& stats_;
  AlertFd alert_;
  std::vector<std::string> command_;  // tcp_cmd split into words; empty: off
  std::string command_text_;
  std::unique_ptr<ChildRunner> runner_;
};

// -S py_path/py_module/py_function do nothing unless the python scanner runs.
void warn_unused_python_settings(const Config& config, const std::vector<std::string>& scanners);

}  // namespace tcpflow::app
