// Plain facts about the process that owns one end of a connection on this
// host (--processes). Filled by attrib/, read by the report, the index, the
// connection log, --snoop and tcp_cmd. No behaviour.
#pragma once
#include <cstdint>
#include <string>

namespace tcpflow::flow {

struct ProcessInfo {
  uint32_t uid = 0;
  std::string user;     // the uid's name, or the number when it has none
  int pid = 0;
  int ppid = 0;
  std::string cmd;      // comm: the name the kernel shows
  std::string exe;      // full path of the executable; empty when unreadable
  std::string cmdline;  // argv joined with spaces, capped
};

}  // namespace tcpflow::flow
