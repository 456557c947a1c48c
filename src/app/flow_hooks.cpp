#include "app/flow_hooks.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "report/flow_format.h"
#include "util/alert_fd.h"
#include "util/command_words.h"
#include "util/error.h"

namespace tcpflow::app {

FlowHooks::FlowHooks(const Config& config, Stats& stats)
    : stats_(stats), alert_(config.tcp_alert_fd, "tcp_alert_fd") {
  if (config.tcp_alert_fd >= 0) check_alert_fd(config.tcp_alert_fd, "tcp_alert_fd");
  if (!config.tcp_cmd.empty()) {
    command_ = split_command_words(config.tcp_cmd, "tcp_cmd");
    command_text_ = config.tcp_cmd;
    std::replace(command_text_.begin(), command_text_.end(), '\n', ' ');  // one line per failure
    runner_ = std::make_unique<ChildRunner>(
        static_cast<size_t>(config.tcp_cmd_jobs),
        [this](const std::string& file, const std::string& why) {
          stats_.add(Counter::kTcpCmdFailures);
          std::fprintf(stderr, "tcpflow: tcp_cmd on %s %s (command: %s)\n", file.c_str(),
                       why.c_str(), command_text_.c_str());
        });
  }
}

FlowHooks::~FlowHooks() = default;

// The lines are built only when an alert fd is on: every flow file passes
// here, and two strings per call were a noticeable share of the allocations
// at 30,000 concurrent connections.
void FlowHooks::file_opened(const std::string& path) {
  if (!alert_.on()) return;
  alert_.write("open\t" + path + "\n");
}

void FlowHooks::file_closed(const flow::FlowInfo& info, const std::string& path) {
  if (path.empty() || !alert_.on()) return;
  alert_.write("close\t" + path + "\t" + std::to_string(info.file_size) + "\n");
}

namespace {

void add_process(std::vector<std::string>& env, const char* end, const flow::ProcessInfo* p) {
  const std::string prefix = std::string("TCPFLOW_") + end + "_";
  env.push_back(prefix + "PID=" + (p ? std::to_string(p->pid) : std::string()));
  env.push_back(prefix + "UID=" + (p ? std::to_string(p->uid) : std::string()));
  env.push_back(prefix + "USER=" + (p ? p->user : std::string()));
  env.push_back(prefix + "CMD=" + (p ? p->cmd : std::string()));
  env.push_back(prefix + "EXE=" + (p ? p->exe : std::string()));
}

}  // namespace

std::vector<std::string> FlowHooks::environment(const flow::FlowInfo& info,
                                                const std::string& path,
                                                const flow::ProcessInfo* src,
                                                const flow::ProcessInfo* dst) {
  std::vector<std::string> env = {
      "TCPFLOW_FILE=" + path,
      "TCPFLOW_SRC=" + report::ip_to_string(info.src),
      "TCPFLOW_DST=" + report::ip_to_string(info.dst),
      "TCPFLOW_SRC_PORT=" + std::to_string(info.src_port),
      "TCPFLOW_DST_PORT=" + std::to_string(info.dst_port),
      "TCPFLOW_VLAN=" + (info.vlan == decode::kNoVlan ? std::string() : std::to_string(info.vlan)),
      "TCPFLOW_BYTES=" + std::to_string(info.file_size),
      "TCPFLOW_PACKETS=" + std::to_string(info.packets),
      "TCPFLOW_CONNECTION_ID=" + std::to_string(info.connection_id),
      "TCPFLOW_DIRECTION=" + std::string(report::direction_name(info)),
      "TCPFLOW_CLOSE_REASON=" + std::string(flow::close_reason_name(info.close_reason)),
      "TCPFLOW_FIRST_TS=" + report::epoch_decimal(info.first_ts),
      "TCPFLOW_LAST_TS=" + report::epoch_decimal(info.last_ts),
  };
  add_process(env, "SRC", src);
  add_process(env, "DST", dst);
  return env;
}

void FlowHooks::flow_recorded(const flow::FlowInfo& info, const std::string& path,
                              const flow::ProcessInfo* src, const flow::ProcessInfo* dst) {
  if (!runner_ || path.empty()) return;
  std::vector<std::string> argv = command_;
  argv.push_back(path);
  stats_.add(Counter::kTcpCmdRuns);
  runner_->start(argv, environment(info, path, src, dst), path);
}

void FlowHooks::finish() {
  if (runner_) runner_->wait_all();
}

void warn_unused_python_settings(const Config& config, const std::vector<std::string>& scanners) {
  if (std::find(scanners.begin(), scanners.end(), "python") != scanners.end()) return;
  for (const char* name : {"py_path", "py_module", "py_function"}) {
    if (config.settings.count(name)) {
      std::fprintf(stderr, "tcpflow: -S %s has no effect without -e python\n", name);
    }
  }
}

}  // namespace tcpflow::app
