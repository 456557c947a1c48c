#include "app/connection_log.h"

#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "app/process_attribution.h"
#include "util/error.h"

namespace tcpflow::app {

namespace {

// tcpspy logs to a daemon facility; ours is the same unless asked.
constexpr int kDefaultFacility = LOG_DAEMON;

struct FacilityName {
  const char* name;
  int facility;
};

constexpr FacilityName kFacilities[] = {
    {"auth", LOG_AUTH},     {"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},
    {"daemon", LOG_DAEMON}, {"ftp", LOG_FTP},           {"kern", LOG_KERN},
    {"lpr", LOG_LPR},       {"mail", LOG_MAIL},         {"news", LOG_NEWS},
    {"syslog", LOG_SYSLOG}, {"user", LOG_USER},         {"uucp", LOG_UUCP},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2},
    {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},     {"local5", LOG_LOCAL5},
    {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

}  // namespace

int syslog_facility(const std::string& name) {
  for (const FacilityName& f : kFacilities) {
    if (name == f.name) return f.facility;
  }
  return -1;
}

report::ConnectionEnd connection_end(const flow::ConnectionRecord& record, bool originator) {
  report::ConnectionEnd end;
  end.start = record.start;
  end.end = record.end;
  end.local = originator ? record.orig_ip : record.resp_ip;
  end.local_port = originator ? record.orig_port : record.resp_port;
  end.remote = originator ? record.resp_ip : record.orig_ip;
  end.remote_port = originator ? record.resp_port : record.orig_port;
  end.outbound = originator;
  end.bytes_out = originator ? record.orig_bytes : record.resp_bytes;
  end.bytes_in = originator ? record.resp_bytes : record.orig_bytes;
  end.packets_out = originator ? record.orig_packets : record.resp_packets;
  end.packets_in = originator ? record.resp_packets : record.orig_packets;
  end.close_reason = flow::close_reason_name(record.close_reason);
  return end;
}

ConnectionLog::ConnectionLog(const AttribConfig& config, const ConnectionFilter& filter,
                             ProcessAttribution* attribution)
    : path_(config.connlog), format_(config.connlog_format), filter_(filter),
      attribution_(attribution) {
  if (attribution_) {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) == 0) hostname_ = name;
  }
  const std::string kSyslog = "syslog";
  if (path_ == "-") {
    destination_ = Destination::kStdout;
    file_ = stdout;
  } else if (path_ == kSyslog || path_.rfind(kSyslog + ":", 0) == 0) {
    destination_ = Destination::kSyslog;
    int facility = kDefaultFacility;
    if (path_.size() > kSyslog.size()) {
      facility = syslog_facility(path_.substr(kSyslog.size() + 1));  // options checked it
    }
    openlog("tcpflow", LOG_PID, facility);
  } else {
    open_file();
    if (file_ == nullptr) {
      throw Error("--connlog: cannot open " + path_ + ": " + std::strerror(errno));
    }
  }
}

ConnectionLog::~ConnectionLog() {
  if (destination_ == Destination::kFile && file_ != nullptr) std::fclose(file_);
  if (destination_ == Destination::kStdout) std::fflush(stdout);
  if (destination_ == Destination::kSyslog) closelog();
}

void ConnectionLog::open_file() { file_ = std::fopen(path_.c_str(), "a"); }

void ConnectionLog::reopen() {
  if (destination_ != Destination::kFile) return;
  if (file_ != nullptr) std::fclose(file_);
  open_file();
  if (file_ == nullptr && !failed_) {
    failed_ = true;
    std::fprintf(stderr, "tcpflow: --connlog: cannot reopen %s: %s\n", path_.c_str(),
                 std::strerror(errno));
  }
}

void ConnectionLog::connection_recorded(const flow::ConnectionRecord& record) {
  if (!filter_.in_shard(record)) return;
  bool any_local = false;
  if (attribution_) {
    for (bool originator : {true, false}) {
      report::ConnectionEnd end = connection_end(record, originator);
      if (!attribution_->is_local_end(record.connection_id, end.local, end.local_port)) continue;
      any_local = true;
      const flow::ProcessInfo* process =
          attribution_->find(record.connection_id, end.local, end.local_port);
      if (!filter_.end_matches(end.local, end.local_port, end.remote, end.remote_port, process)) {
        continue;
      }
      if (process) end.process = *process;
      end.hostname = hostname_;
      write_line(format_.render(end));
    }
  }
  if (any_local || !filter_.keeps(record)) return;
  write_line(format_.render(connection_end(record, true)));
}

void ConnectionLog::write_line(const std::string& line) {
  if (destination_ == Destination::kSyslog) {
    // One message per record; syslog adds its own line end.
    std::string message = line;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    syslog(LOG_INFO, "%s", message.c_str());
    return;
  }
  if (file_ == nullptr) return;  // a failed reopen, said once
  // Flushed per record: a log is read while the capture runs.
  bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size() &&
            std::fflush(file_) == 0;
  if (!ok && !failed_) {
    failed_ = true;
    std::fprintf(stderr, "tcpflow: --connlog: cannot write %s: %s\n",
                 destination_ == Destination::kStdout ? "to stdout" : path_.c_str(),
                 std::strerror(errno));
  }
}

}  // namespace tcpflow::app
