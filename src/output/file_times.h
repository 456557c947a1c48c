// The access and modification times utimensat/futimens take, both set to a
// flow's packet time (tcpflow stamps each flow file with its last packet).
#pragma once
#include <ctime>

#include "util/timestamp.h"

namespace tcpflow::output {

struct FileTimes {
  explicit FileTimes(Timestamp t) {
    times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(t.sec);
    times[0].tv_nsec = times[1].tv_nsec = static_cast<long>(t.nsec);
  }
  struct timespec times[2];
};

}  // namespace tcpflow::output
