// A shared library opened when a feature first needs it, not at start-up.
//
// libpython (the python scanner) and libcairo (the netviz page) are used by
// few runs, but linked normally the dynamic loader maps and relocates them,
// and the dozen libraries cairo pulls in, on every start: about 14 ms and 550
// page faults, as much as a whole run on a small capture costs and more than
// all of tcpflow 1.6.1's start-up. Their functions are instead defined in
// small forwarding files (scanners/python_api.cpp, src/netviz/cairo_api.cpp)
// that look each one up here on its first call.
#pragma once
#include <mutex>
#include <string>

namespace tcpflow {

class LazyLibrary {
 public:
  // soname: what dlopen() loads ("libcairo.so.2"); feature: what needs it,
  // for the error message ("the netviz page (-e netviz)").
  LazyLibrary(const char* soname, const char* feature) : soname_(soname), feature_(feature) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // The address of `name`, opening the library on the first call (from any
  // thread). Throws Error naming the feature, the library and dlerror() when
  // the library or the symbol is missing.
  void* symbol(const char* name);

  // Whether the library has been opened (for tests).
  bool opened() const { return handle_ != nullptr; }

 private:
  void open();

  const char* soname_;
  const char* feature_;
  std::once_flag once_;
  // Never closed: unloading libpython or cairo while their own exit-time
  // destructors may still run is unsafe, and the process ends soon after.
  void* handle_ = nullptr;
  std::string open_error_;
};

}  // namespace tcpflow

// In a forwarding function named `name`: `real` is the library's own `name`,
// looked up on the first call only.
#define TCPFLOW_LAZY_REAL(library, name) \
  static const auto real = reinterpret_cast<decltype(&::name)>((library).symbol(#name))
