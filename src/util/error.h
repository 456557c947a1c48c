// The one exception type, thrown only at the option and setup boundary and
// caught only by main(). The hot path reports problems through Stats instead.
#pragma once
#include <stdexcept>
#include <string>

namespace tcpflow {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, int exit_code = 1)
      : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// Thrown for command-line mistakes: main prints a hint to -h and exits 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(what, 2) {}
};

}  // namespace tcpflow
