// --proxy: the proxy's event loop wired to the flow recorder, with the
// --pidfile written once the listeners are open.
#pragma once
#include <functional>

#include "app/closed_flows.h"
#include "app/config.h"
#include "app/flow_recorder.h"

namespace tcpflow::report {
class DfxmlWriter;
}

namespace tcpflow::app {

class ProcessAttribution;

// Serves until SIGTERM/SIGINT and the grace period; every connection's flows
// are closed on return. `listening` runs once the listeners are open (to
// drop privileges), `hangup` on each SIGHUP; `attribution` (--processes,
// may be null) names the clients' processes. Throws tcpflow::Error when it
// cannot listen.
void run_proxy(const Config& config, FlowRecorder& handler, ClosedFlows& closed,
               report::DfxmlWriter* report, const std::function<void()>& listening,
               std::function<void()> hangup, ProcessAttribution* attribution);

}  // namespace tcpflow::app
