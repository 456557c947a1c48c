// --processes with -U: another user's /proc/PID/fd and /proc/PID/exe are
// readable only with CAP_SYS_PTRACE (and CAP_DAC_READ_SEARCH), which
// setuid() takes away. The lookup thread alone keeps those two across -U's
// setuid (capabilities are per thread on Linux); every other thread, the
// packet thread and the writers included, keeps none. Nothing else it could
// do with them is done on that thread: it reads /proc and asks netlink.
#pragma once

namespace tcpflow::attrib {

// At the lookup thread's start, while still root: its permitted
// capabilities survive the coming setuid (PR_SET_KEEPCAPS on this thread).
// A no-op when not root.
void keep_proc_access_across_setuid();

// Right after the setuid (Attributor::nudge) and before each lookup: once
// the process has left root, this thread keeps CAP_SYS_PTRACE and
// CAP_DAC_READ_SEARCH effective and drops every other capability it still
// holds. Cheap when there is nothing to do. True while this thread can read
// every process's /proc entries (still root, or both kept); false when not
// (other users' ends stay unknown).
bool regain_proc_access();

}  // namespace tcpflow::attrib
