// SIGINT/SIGTERM ask the run to stop (flows are then closed and the report
// finished normally); SIGHUP asks for idle flows to be closed. The flags are
// the program's only globals, as signal handlers need them.
#pragma once

namespace tcpflow::app {

void install_signal_handlers();
bool stop_requested();
// True once per SIGHUP received.
bool take_hangup_request();
// For tests and for a live source that wants to stop itself.
void request_stop();

}  // namespace tcpflow::app
