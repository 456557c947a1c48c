#include "util/lazy_library.h"

#include <dlfcn.h>

#include "util/error.h"

namespace tcpflow {

void LazyLibrary::open() {
  // RTLD_GLOBAL: Python's extension modules (lib-dynload/*.so) find the
  // interpreter's symbols through the global scope, as when linked.
  handle_ = ::dlopen(soname_, RTLD_NOW | RTLD_GLOBAL);
  if (!handle_) {
    const char* why = ::dlerror();
    open_error_ = why ? why : "unknown error";
  }
}

void* LazyLibrary::symbol(const char* name) {
  std::call_once(once_, [this] { open(); });
  if (!handle_) {
    throw Error(std::string(feature_) + " needs " + soname_ + ", which cannot be loaded: " +
                open_error_);
  }
  ::dlerror();
  void* address = ::dlsym(handle_, name);
  if (!address) {
    const char* why = ::dlerror();
    throw Error(std::string(feature_) + ": " + soname_ + " has no " + name + ": " +
                (why ? why : "unknown error"));
  }
  return address;
}

}  // namespace tcpflow
