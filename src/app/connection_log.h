// --connlog: one record per connection end when the connection leaves the
// flow table (closed, timed out, or still open at the end of the run),
// written to a file (appended; reopened on SIGHUP so logrotate can move
// it), stdout ('-'), or syslog ('syslog', 'syslog:FACILITY'). It consumes
// the connection records of the closed-flow stage, after the connection's
// flow entries. With --processes, one record per end that is a socket on
// this host (both for loopback), each with its process, kept when that end
// matches the rules; otherwise (capture files, a connection with no local
// end) the client's end, with no process facts.
#pragma once
#include <cstdio>
#include <memory>
#include <string>

#include "app/attrib_config.h"
#include "app/closed_flows.h"
#include "app/connection_filter.h"
#include "report/connection_log_format.h"

namespace tcpflow::app {

class ProcessAttribution;

class ConnectionLog : public ClosedFlows::Consumer {
 public:
  // Opens the destination; throws Error when it cannot be opened or a
  // syslog facility is unknown. `filter` and `attribution` (null without
  // --processes) must outlive the log.
  ConnectionLog(const AttribConfig& config, const ConnectionFilter& filter,
                ProcessAttribution* attribution);
  ~ConnectionLog() override;
  ConnectionLog(const ConnectionLog&) = delete;
  ConnectionLog& operator=(const ConnectionLog&) = delete;

  // SIGHUP: closes and reopens a log file (nothing for stdout and syslog).
  void reopen();
  // A write to the log failed at some point (said once on stderr).
  bool failed() const { return failed_; }

  void file_complete(const flow::FlowInfo&, const std::string&) override {}
  void record(flow::FlowInfo&, const std::string&, const flow::FlowInfo*,
              const std::string*) override {}
  void connection_complete(uint64_t) override {}
  void connection_recorded(const flow::ConnectionRecord& record) override;

 private:
  enum class Destination { kFile, kStdout, kSyslog };
  void open_file();
  void write_line(const std::string& line);

  Destination destination_ = Destination::kFile;
  std::string path_;
  report::ConnectionLogFormat format_;
  const ConnectionFilter& filter_;
  ProcessAttribution* attribution_;
  std::string hostname_;  // this host's, with --processes
  std::FILE* file_ = nullptr;  // owned when kFile
  bool failed_ = false;
};

// One end of `record`, seen from itself: the originator's (the client on a
// capture file's log) or the responder's.
report::ConnectionEnd connection_end(const flow::ConnectionRecord& record, bool originator);

// LOG_* facility for a name ("daemon", "local0" ... "local7", ...); -1 when unknown.
int syslog_facility(const std::string& name);

}  // namespace tcpflow::app
