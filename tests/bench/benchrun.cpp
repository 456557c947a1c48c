// benchrun: runs one command and reports its resource use, for the runner.
//
//   benchrun LOG -- PROGRAM ARGS...
//
// The command's stdout and stderr go to LOG, stdin is /dev/null. Prints one
// line "wall_s user_s sys_s maxrss_kb exit" on stdout (exit is 128+signal
// when the command was killed). A separate small process is needed because
// Linux keeps a process's peak RSS across execve: a child forked from the
// (large) Python runner would report the runner's RSS as its own peak.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: benchrun LOG -- PROGRAM ARGS...\n");
    return 2;
  }
  const int log = ::open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log < 0 || null < 0) {
    std::fprintf(stderr, "benchrun: %s: %s\n", argv[1], std::strerror(errno));
    return 2;
  }
  timespec t0, t1;
  ::clock_gettime(CLOCK_MONOTONIC, &t0);
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("benchrun: fork");
    return 2;
  }
  if (pid == 0) {
    ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execvp(argv[3], argv + 3);
    std::fprintf(stderr, "benchrun: %s: %s\n", argv[3], std::strerror(errno));
    ::_exit(127);
  }
  int status = 0;
  rusage ru{};
  while (::wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      std::perror("benchrun: wait4");
      return 2;
    }
  }
  ::clock_gettime(CLOCK_MONOTONIC, &t1);
  const double wall = double(t1.tv_sec - t0.tv_sec) + double(t1.tv_nsec - t0.tv_nsec) / 1e9;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::printf("%.6f %.6f %.6f %ld %d\n", wall,
              double(ru.ru_utime.tv_sec) + double(ru.ru_utime.tv_usec) / 1e6,
              double(ru.ru_stime.tv_sec) + double(ru.ru_stime.tv_usec) / 1e6, ru.ru_maxrss,
              code);
  return 0;
}
