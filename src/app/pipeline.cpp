#include "app/pipeline.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "app/flow_recorder.h"
#include "app/signals.h"
#include "capture/packet_source.h"
#include "decode/decoder.h"
#include "flow/flow_table.h"
#include "output/fd_cache.h"
#include "output/file_namer.h"
#include "output/filename_template.h"
#include "reassembly/memory_budget.h"
#include "util/error.h"
#include "util/stats.h"

namespace tcpflow::app {

namespace {

// Creates `path` and its parents (mkdir -p).
void make_directories(const std::string& path) {
  if (path.empty() || path == ".") return;
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      throw Error("cannot create output directory " + prefix + ": " + std::strerror(errno));
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw Error("cannot use output directory " + path + ": not a directory");
  }
}

flow::FlowTableConfig flow_table_config(const Config& config) {
  flow::FlowTableConfig table;
  table.reassembly.max_seek = config.max_seek;
  table.reassembly.max_stored = config.max_bytes;
  table.overlap = config.overlap;
  table.max_connections = config.max_flows;
  table.idle_timeout_sec = config.tcp_timeout_sec;
  table.keep_closed = config.keep_closed_flows;
  return table;
}

}  // namespace

struct Pipeline::State {
  explicit State(const Config& config)
      : budget(config.max_held_bytes),
        decoder(decode::DefragLimits{}),
        fd_cache(static_cast<size_t>(config.max_fds > 0 ? config.max_fds : 0)),
        namer(config.outdir, output::FilenameTemplate::parse(config.filename_template)),
        recorder(namer, fd_cache, config.store_flows, config.write_findx, stats),
        table(flow_table_config(config), recorder, budget, stats) {}

  Stats stats;
  reassembly::MemoryBudget budget;
  decode::PacketDecoder decoder;
  output::FdCache fd_cache;
  output::FileNamer namer;
  FlowRecorder recorder;
  flow::FlowTable table;
  uint64_t packet_number = 0;
  bool any_input_failed = false;
};

Pipeline::Pipeline(const Config& config) : config_(config) {
  make_directories(config.outdir);
  state_ = std::make_unique<State>(config);
}

Pipeline::~Pipeline() = default;

int Pipeline::run() {
  State& s = *state_;
  auto process = [&](const std::string& path, bool resume_only) {
    std::unique_ptr<capture::PacketSource> source;
    try {
      source = capture::open_capture_file(path, config_.bpf_expression);
    } catch (const Error& e) {
      std::fprintf(stderr, "tcpflow: %s\n", e.what());
      s.stats.add(Counter::kInputErrors);
      s.any_input_failed = true;
      return;
    }
    if (!decode::link_type_supported(source->primary_link_type())) {
      std::fprintf(stderr, "tcpflow: %s: unsupported link type %d; file skipped\n", path.c_str(),
                   source->primary_link_type());
      s.stats.add(Counter::kUnsupportedLinkType);
      s.any_input_failed = true;
      return;
    }
    s.table.set_resume_only(resume_only);
    std::set<int> warned_link_types;
    capture::Record record;
    decode::DecodedPacket packet;
    flow::PacketContext context;
    context.input_name = &path;
    uint64_t records = 0;
    while (!stop_requested()) {
      capture::ReadStatus status = source->next(record);
      if (status == capture::ReadStatus::kEnd) break;
      if (status == capture::ReadStatus::kTimeout) continue;
      if (status == capture::ReadStatus::kError) {
        std::fprintf(stderr, "tcpflow: %s: %s%s\n", path.c_str(), source->error().c_str(),
                     records ? "; the packets before it were processed" : "");
        if (source->truncated()) s.stats.add(Counter::kTruncatedInput);
        if (records == 0) s.any_input_failed = true;
        break;
      }
      ++records;
      context.ts = record.ts;
      context.packet_number = ++s.packet_number;
      s.stats.add(Counter::kPacketsRead);
      s.stats.add(Counter::kBytesRead, record.caplen);
      decode::DecodeResult result =
          s.decoder.decode(record.link_type, record.data, record.ts, packet, s.stats);
      if (result == decode::DecodeResult::kTcp) {
        s.table.process(packet, context);
      } else if (result == decode::DecodeResult::kUnsupportedLink &&
                 warned_link_types.insert(record.link_type).second) {
        std::fprintf(stderr, "tcpflow: %s: packets of unsupported link type %d skipped\n",
                     path.c_str(), record.link_type);
      }
      s.table.expire(record.ts);
      if ((records & 1023) == 0) s.decoder.expire(record.ts, s.stats);
      if (take_hangup_request()) s.table.close_idle(record.ts, 0);
    }
  };

  for (const std::string& path : config_.read_files) process(path, false);
  for (const std::string& path : config_.resume_files) process(path, true);
  s.table.finish_all(flow::CloseReason::kEndOfInput);
  s.fd_cache.evict_all();

  int status = 0;
  if (s.any_input_failed) status = 1;
  if (s.stats.get(Counter::kWriteErrors) > 0) {
    std::fprintf(stderr, "tcpflow: %llu write errors: some flows are incomplete on disk\n",
                 static_cast<unsigned long long>(s.stats.get(Counter::kWriteErrors)));
    status = 1;
  }
  return status;
}

}  // namespace tcpflow::app
