#include "util/child_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace tcpflow {

namespace {

// posix_spawn attributes and file actions, released on every path.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
    // tcpflow ignores SIGPIPE and SIGXFSZ, and an ignored signal stays
    // ignored across exec: give the command the defaults it expects.
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGXFSZ, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attr_, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr_, &none);
    posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    // The capture may come from stdin (-r -): the command must not eat it.
    posix_spawn_file_actions_addopen(&actions_, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  const posix_spawnattr_t* attr() const { return &attr_; }
  const posix_spawn_file_actions_t* actions() const { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

std::string variable_name(const std::string& entry) { return entry.substr(0, entry.find('=')); }

std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || variable_name(x) == variable_name(entry);
    if (!replaced) env.push_back(std::move(entry));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

ChildRunner::ChildRunner(size_t max_jobs, FailureCallback on_failure)
    : max_jobs_(max_jobs ? max_jobs : 1), on_failure_(std::move(on_failure)) {}

ChildRunner::~ChildRunner() { wait_all(); }

void ChildRunner::start(const std::vector<std::string>& argv,
                        const std::vector<std::string>& extra_env, const std::string& label) {
  reap();
  // At the bound: poll our own children (waitpid(-1) could steal the
  // status of a child someone else started). 1 ms up to 20 ms between looks.
  long pause_ns = 1000000;
  while (children_.size() >= max_jobs_) {
    struct timespec pause {0, pause_ns};
    nanosleep(&pause, nullptr);
    pause_ns = std::min(pause_ns * 2, 20000000L);
    reap();
  }
  if (argv.empty()) {
    fail(label, "could not start: empty command");
    return;
  }
  std::vector<std::string> args = argv;
  std::vector<std::string> env = child_environment(extra_env);
  std::vector<char*> arg_ptrs = pointers(args);
  std::vector<char*> env_ptrs = pointers(env);
  SpawnSetup setup;
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, arg_ptrs[0], setup.actions(), setup.attr(), arg_ptrs.data(),
                        env_ptrs.data());
  ++started_;
  if (rc != 0) {
    fail(label, std::string("could not start: ") + std::strerror(rc));
    return;
  }
  children_.push_back(Child{pid, label});
  if (children_.size() > peak_) peak_ = children_.size();
}

void ChildRunner::reap() {
  for (size_t i = 0; i < children_.size();) {
    int status = 0;
    pid_t r = ::waitpid(children_[i].pid, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) {
      ++i;
      continue;
    }
    Child child = std::move(children_[i]);
    children_.erase(children_.begin() + static_cast<std::ptrdiff_t>(i));
    // ECHILD: someone set SIGCHLD to SIG_IGN and the kernel reaped it; the
    // status is lost, so it counts as a success.
    if (r > 0) finished(child, status);
  }
}

void ChildRunner::wait_all() {
  for (const Child& child : children_) {
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(child.pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r > 0) finished(child, status);
  }
  children_.clear();
}

void ChildRunner::finished(const Child& child, int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  if (WIFEXITED(status)) {
    // posix_spawnp reports a missing program as exit status 127 from the
    // child on some systems instead of an error from the call.
    fail(child.label, "exited with status " + std::to_string(WEXITSTATUS(status)));
  } else if (WIFSIGNALED(status)) {
    fail(child.label, "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                          strsignal(WTERMSIG(status)) + ")");
  }
}

void ChildRunner::fail(const std::string& label, const std::string& why) {
  ++failed_;
  if (on_failure_) on_failure_(label, why);
}

}  // namespace tcpflow
