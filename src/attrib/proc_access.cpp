#include "attrib/proc_access.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace tcpflow::attrib {

namespace {

// glibc has no capget/capset wrappers (libcap would be a dependency for two
// system calls): the raw ones, version 3 (64 capability bits in two words).
struct Capabilities {
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
};

bool get_capabilities(Capabilities& caps) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return ::syscall(SYS_capget, &header, caps.data) == 0;
}

bool set_capabilities(const Capabilities& caps) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  return ::syscall(SYS_capset, &header, caps.data) == 0;
}

constexpr uint64_t bit(int capability) { return uint64_t{1} << capability; }
constexpr uint64_t kProcAccess = bit(CAP_SYS_PTRACE) | bit(CAP_DAC_READ_SEARCH);


}  // namespace

void keep_proc_access_across_setuid() {
  if (::geteuid() == 0) ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
}

bool regain_proc_access() {
  // Per thread: set once the process has left root.
  thread_local bool settled = false;
  thread_local bool kept = false;
  if (settled) return kept;
  if (::geteuid() == 0) return true;  // still root: nothing to regain yet
  settled = true;
  Capabilities caps;
  if (!get_capabilities(caps)) {
    set_capabilities(Capabilities{});  // keep nothing rather than everything
    return false;
  }
  uint64_t permitted = (caps.data[0].permitted | (uint64_t{caps.data[1].permitted} << 32));
  uint64_t keep = permitted & kProcAccess;
  for (int word = 0; word < 2; ++word) {
    auto part = static_cast<__u32>(keep >> (32 * word));
    caps.data[word].permitted = part;
    caps.data[word].effective = part;
    caps.data[word].inheritable = 0;
  }
  kept = set_capabilities(caps) && keep == kProcAccess;
  return kept;
}

}  // namespace tcpflow::attrib
