// Runs external commands (posix_spawnp, no shell) with at most `max_jobs`
// alive at once, without ever blocking the caller while a slot is free.
// Only the children it started are reaped (waitpid on their pids, never on
// -1), so children of other parts of the process keep their status.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tcpflow {

class ChildRunner {
 public:
  // Told once per command that could not start, exited non-zero or died of
  // a signal; `why` is one phrase ("exited with status 3").
  using FailureCallback = std::function<void(const std::string& label, const std::string& why)>;

  ChildRunner(size_t max_jobs, FailureCallback on_failure);
  ~ChildRunner();  // waits for every child still running: none is left a zombie
  ChildRunner(const ChildRunner&) = delete;
  ChildRunner& operator=(const ChildRunner&) = delete;

  // Starts argv[0] (searched in PATH) with the process environment plus
  // `extra_env` ("NAME=value", replacing variables of the same name); stdin
  // is /dev/null, stdout and stderr are tcpflow's. Waits first while
  // max_jobs children are running. `label` names the job in failures.
  void start(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
             const std::string& label);

  // Reaps the children that have finished; never blocks.
  void reap();
  // Blocks until every child has finished.
  void wait_all();

  size_t running() const { return children_.size(); }
  size_t peak_running() const { return peak_; }
  uint64_t started() const { return started_; }
  uint64_t failed() const { return failed_; }

 private:
  struct Child {
    pid_t pid;
    std::string label;
  };
  void finished(const Child& child, int status);
  void fail(const std::string& label, const std::string& why);

  size_t max_jobs_;
  FailureCallback on_failure_;
  std::vector<Child> children_;
  size_t peak_ = 0;
  uint64_t started_ = 0;
  uint64_t failed_ = 0;
};

}  // namespace tcpflow
