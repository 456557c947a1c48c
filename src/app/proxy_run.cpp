#include "app/proxy_run.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "app/proxy_recorder.h"
#include "proxy/proxy_server.h"
#include "util/error.h"

namespace tcpflow::app {

namespace {

// --pidfile: written when the proxy is ready, removed when it ends.
class PidFile {
 public:
  explicit PidFile(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    std::FILE* file = std::fopen(path_.c_str(), "w");
    if (file == nullptr) throw Error("--pidfile " + path_ + ": " + std::strerror(errno));
    std::fprintf(file, "%ld\n", static_cast<long>(getpid()));
    if (std::fclose(file) != 0) throw Error("--pidfile " + path_ + ": " + std::strerror(errno));
  }
  ~PidFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
};

Timestamp wall_clock() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return Timestamp{static_cast<int64_t>(now.tv_sec), static_cast<uint32_t>(now.tv_nsec)};
}

}  // namespace

void run_proxy(const Config& config, FlowRecorder& handler, ClosedFlows& closed,
               report::DfxmlWriter* report, const std::function<void()>& listening,
               std::function<void()> hangup, ProcessAttribution* attribution) {
  ProxyRecorder recorder(config.proxy, handler, closed, report);
  recorder.on_hangup(std::move(hangup));
  recorder.attribute_with(attribution);
  proxy::ProxyServer server(config.proxy, recorder);
  listening();
  PidFile pidfile(config.pidfile);
  server.run();
  recorder.close_all(wall_clock());
}

}  // namespace tcpflow::app
