#include "app/pipeline.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <vector>

#include "app/connection_pcaps.h"
#include "app/flow_hooks.h"
#include "app/flow_recorder.h"
#include "app/report_setup.h"
#include "app/run_feedback.h"
#include "app/signals.h"
#include "capture/live_source.h"
#include "capture/packet_source.h"
#include "capture/pcap_writer.h"
#include "decode/decoder.h"
#include "flow/flow_table.h"
#include "output/background_writer.h"
#include "output/console_sink.h"
#include "output/fd_cache.h"
#include "output/file_namer.h"
#include "output/filename_template.h"
#include "reassembly/memory_budget.h"
#include "report/dfxml_writer.h"
#include "report/jsonl_writer.h"
#include "report/run_status.h"
#include "app/closed_flow_queue.h"
#include "scanners/registry.h"
#include "util/error.h"
#include "util/stats.h"

namespace tcpflow::app {

namespace {

// The console names a flow without the connection count, as tcpflow 1.6.1 does.
constexpr char kConsoleLabelTemplate[] = "%A.%a-%B.%b%V%v";

// With a background writer, this thread keeps a few descriptors, to read
// back the bytes of an overlap (half the budget when it also writes a pcap
// per connection); the writer has the rest.
constexpr size_t kReadBackDescriptors = 16;

output::BackgroundWriter::Limits background_limits(output::FdCache& fd_cache, bool split_pcap,
                                                   int threads) {
  const size_t budget = fd_cache.capacity();
  const size_t kept = budget > 2 * kReadBackDescriptors && !split_pcap ? kReadBackDescriptors
                                                                       : (budget + 1) / 2;
  fd_cache.set_capacity(kept);
  output::BackgroundWriter::Limits limits;
  limits.max_open = budget > kept ? budget - kept : 1;
  // -j N: N writers. Two on a two-core machine, although the packet thread
  // makes three: on ext4 a file creation is mostly waiting on the file
  // system, and two writers made W1 30% and W2 20% faster there (tmpfs: the
  // same within noise).
  constexpr int kMaxWriters = 8;  // each holds batches in flight; more only wait on the disk
  limits.writers = static_cast<size_t>(std::clamp(threads, 1, kMaxWriters));
  return limits;
}

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
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    throw Error("cannot write to output directory " + path + ": " + std::strerror(errno));
  }
}

flow::FlowTableConfig flow_table_config(const Config& config) {
  flow::FlowTableConfig table;
  table.reassembly.max_seek = config.max_seek;
  table.reassembly.max_stored = config.max_bytes;
  if (config.console != ConsoleMode::kNone) {
    // Printed bytes cannot be rewritten, so the console holds more out-of-order data.
    table.reassembly.flow_buffer_limit = 64ull << 20;
  }
  table.overlap = config.overlap;
  table.max_connections = config.max_flows;
  table.idle_timeout_sec = config.tcp_timeout_sec;
  table.keep_closed = config.keep_closed_flows;
  table.max_linger = config.max_linger;
  return table;
}

output::ConsoleOptions console_options(const Config& config) {
  output::ConsoleOptions options;
  options.header = config.console == ConsoleMode::kWithHeader;
  options.binary = config.console_binary;
  options.hexdump = config.console_hexdump;
  options.newline = !config.console_no_newline;
  options.color = config.console_color && (config.force_color || ::isatty(STDOUT_FILENO));
  options.json = config.console_json;
  options.semaphore_name = config.semaphore_name;
  return options;
}

// -S tdelta: seconds (possibly fractional or negative) added to every packet.
void shift_timestamp(Timestamp& ts, double delta_sec) {
  int64_t delta_ns = static_cast<int64_t>(delta_sec * 1e9);
  int64_t total_ns = static_cast<int64_t>(ts.nsec) + delta_ns % 1000000000;
  ts.sec += delta_ns / 1000000000 + total_ns / 1000000000;
  total_ns %= 1000000000;
  if (total_ns < 0) {
    total_ns += 1000000000;
    ts.sec -= 1;
  }
  ts.nsec = static_cast<uint32_t>(total_ns);
}

// -d 2 and up (-v): every non-zero counter on stderr at the end of the run.
void print_counters(const Stats& stats) {
  for (size_t i = 0; i < kCounterCount; ++i) {
    auto counter = static_cast<Counter>(i);
    if (stats.get(counter) == 0) continue;
    std::fprintf(stderr, "tcpflow: %-32s %llu\n", std::string(counter_name(counter)).c_str(),
                 static_cast<unsigned long long>(stats.get(counter)));
  }
}

std::vector<std::string> path_components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// With -z, paths opened after the chroot would resolve inside the jail; the
// working directory stays outside it, so a path relative to it still reaches
// the place the user named. `path` need not exist, but its parent must.
std::string outside_jail_path(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string parent = slash == std::string::npos ? "." : path.substr(0, slash ? slash : 1);
  std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  char* real_parent = ::realpath(parent.c_str(), nullptr);
  char* real_cwd = ::getcwd(nullptr, 0);
  if (!real_parent || !real_cwd) {
    std::free(real_parent);
    std::free(real_cwd);
    throw Error("cannot resolve " + path + " before chroot: " + std::strerror(errno));
  }
  std::vector<std::string> target = path_components(real_parent);
  std::vector<std::string> here = path_components(real_cwd);
  std::free(real_parent);
  std::free(real_cwd);
  if (!leaf.empty() && leaf != ".") target.push_back(leaf);
  size_t common = 0;
  while (common < target.size() && common < here.size() && target[common] == here[common]) {
    ++common;
  }
  std::string relative;
  for (size_t i = common; i < here.size(); ++i) relative += "../";
  for (size_t i = common; i < target.size(); ++i) relative += target[i] + "/";
  if (relative.empty()) return ".";
  relative.pop_back();
  return relative;
}

// SIGHUP closes flows idle this long (capture time), so files of quiet
// connections are complete on disk without stopping the run.
double hangup_idle_seconds(const Config& config) {
  constexpr double kDefaultHangupIdle = 10;
  return config.tcp_timeout_sec > 0 ? config.tcp_timeout_sec : kDefaultHangupIdle;
}

decode::DefragLimits defrag_limits(const Config& config) {
  decode::DefragLimits limits;
  limits.max_bytes = config.max_fragment_bytes;
  limits.timeout_sec = static_cast<int64_t>(config.fragment_timeout_sec);
  return limits;
}

scanners::ScannerSelection scanner_selection(const Config& config) {
  scanners::ScannerSelection selection;
  selection.enable = config.enable_scanners;
  selection.disable = config.disable_scanners;
  selection.exclusive = config.exclusive_scanner;
  selection.all = config.all_scanners;
  selection.md5_every_flow = config.md5_every_flow;
  return selection;
}

scanners::ScannerOptions scanner_options(const Config& config) {
  scanners::ScannerOptions options;
  options.outdir = config.outdir;
  options.decompress_http = config.gunzip_http;
  options.http_max_body = config.http_max_body;
  options.http_cmd = config.http_cmd;
  options.http_alert_fd = config.http_alert_fd;
  options.py_path = config.py_path;
  options.py_module = config.py_module;
  options.py_function = config.py_function;
  return options;
}

}  // namespace

struct Pipeline::State {
  explicit State(const Config& config)
      : budget(config.max_held_bytes),
        decoder(defrag_limits(config)),
        fd_cache(static_cast<size_t>(config.max_fds > 0 ? config.max_fds : 0)),
        scanner_set(scanners::ScannerSet::select(scanner_selection(config),
                                                 scanner_options(config))) {}

  Stats stats;
  reassembly::MemoryBudget budget;
  decode::PacketDecoder decoder;
  output::FdCache fd_cache;
  // Declared before everything that writes flow files, so it outlives them.
  std::unique_ptr<output::BackgroundWriter> background;
  scanners::ScannerSet scanner_set;
  std::unique_ptr<output::FileNamer> namer;
  std::unique_ptr<output::FileNamer> pcap_namer;
  std::unique_ptr<ConnectionPcaps> connection_pcaps;
  std::unique_ptr<output::ConsoleWriter> console;
  std::unique_ptr<FlowHooks> hooks;  // -S tcp_cmd, tcp_alert_fd
  std::unique_ptr<FlowRecorder> recorder;
  std::unique_ptr<ClosedFlowQueue> closed_flows;
  std::unique_ptr<flow::FlowTable> table;
  std::unique_ptr<report::DfxmlWriter> report;
  std::unique_ptr<report::JsonlWriter> jsonl;
  std::unique_ptr<capture::PcapWriter> unprocessed;
  std::unique_ptr<RunFeedback> feedback;  // notices and progress on stderr
  uint64_t packet_number = 0;
  bool any_input_failed = false;
  bool any_input_read = false;
  bool any_input_truncated = false;  // ended early after some records
  bool unprocessed_failed = false;
  std::string unprocessed_path;
  bool privileges_dropped = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

Pipeline::Pipeline(const Config& config) : config_(config), state_(std::make_unique<State>(config)) {
  State& s = *state_;
  warn_unused_python_settings(config, s.scanner_set.names());
  for (const scanners::ScannerNotice& notice : s.scanner_set.notices()) {
    if (notice.always || !config.quiet) {
      std::fprintf(stderr, "tcpflow: warning: %s\n", notice.text.c_str());
    }
  }
  s.hooks = std::make_unique<FlowHooks>(config, s.stats);
  bool console = config.console != ConsoleMode::kNone;
  if (!console || !config.report_path.empty()) make_directories(config.outdir);
  bool jailed = !config.chroot_dir.empty();
  std::string outdir = jailed && !console ? outside_jail_path(config.outdir) : config.outdir;
  if (jailed && !config.unprocessed_pcap.empty()) {
    s.unprocessed_path = outside_jail_path(config.unprocessed_pcap);
  } else {
    s.unprocessed_path = config.unprocessed_pcap;
  }
  if (console) {
    s.console = std::make_unique<output::ConsoleWriter>(stdout, console_options(config));
    s.recorder = std::make_unique<FlowRecorder>(
        *s.console, output::FilenameTemplate::parse(kConsoleLabelTemplate), s.stats);
  } else {
    s.namer = std::make_unique<output::FileNamer>(
        outdir, output::FilenameTemplate::parse(config.filename_template, config.always_count));
    // -j 2 and up: flow files are written on threads of their own. Not
    // live: there each file is created when its first bytes arrive, as
    // tcpflow does, and must be complete once its connection closes, while
    // the writer's batch of a quiet capture could hold its bytes back.
    if (config.threads > 1 && config.store_flows && !config.live) {
      s.background = std::make_unique<output::BackgroundWriter>(
          background_limits(s.fd_cache, config.split_pcap, config.threads));
    }
    s.recorder = std::make_unique<FlowRecorder>(*s.namer, s.fd_cache, s.background.get(),
                                                config.store_flows, config.write_findx, s.stats);
  }
  // Before the report is created: an earlier run's report.xml tells of a rerun.
  s.feedback = std::make_unique<RunFeedback>(config, console ? std::string() : outdir);
  s.report = open_report(config);
  if (!config.jsonl_path.empty()) s.jsonl = std::make_unique<report::JsonlWriter>(config.jsonl_path);
  if (s.report) {
    for (const std::string& path : config.read_files) s.report->add_source(describe_input(path, config));
    for (const std::string& path : config.resume_files) s.report->add_source(describe_input(path, config));
  }
  s.closed_flows = std::make_unique<ClosedFlowQueue>(
      [this](flow::FlowInfo& info, const std::string& path, const flow::FlowInfo* peer,
             const std::string* peer_path) { record_closed_flow(info, path, peer, peer_path); });
  s.recorder->on_opened_file([this](const std::string& path) {
    state_->feedback->file_opening(path);
    state_->hooks->file_opened(path);
  });
  s.recorder->on_closed_flow([this](flow::FlowInfo& info, const std::string& path) {
    state_->hooks->file_closed(info, path);
    // Without scanners nothing needs the other direction: record at once.
    if (state_->scanner_set.empty()) {
      record_closed_flow(info, path, nullptr, nullptr);
    } else {
      state_->closed_flows->add(info, path);
    }
  });
  if (config.split_pcap && !console) {
    // A namer of its own, so pcap names never take a count from flow files.
    s.pcap_namer = std::make_unique<output::FileNamer>(
        outdir, output::FilenameTemplate::parse(config.filename_template, config.always_count));
    s.connection_pcaps = std::make_unique<ConnectionPcaps>(*s.pcap_namer, s.fd_cache, s.stats);
  }
  s.recorder->on_closed_connection([this](uint64_t id) {
    state_->closed_flows->connection_closed(id);
    if (state_->connection_pcaps) state_->connection_pcaps->close(id);
  });
  s.table = std::make_unique<flow::FlowTable>(flow_table_config(config), *s.recorder, s.budget,
                                              s.stats);
}

Pipeline::~Pipeline() = default;

void Pipeline::record_closed_flow(flow::FlowInfo& info, const std::string& path,
                                  const flow::FlowInfo* peer, const std::string* peer_path) {
  State& s = *state_;
  scanners::ScanResult result;
  if (!path.empty() && !info.write_failed && !s.scanner_set.empty()) {
    std::string error;
    scanners::ScanTarget target{info, path, peer, peer_path};
    if (!s.scanner_set.scan_file(target, result, error)) {
      std::fprintf(stderr, "tcpflow: scanners could not read %s\n", error.c_str());
    }
  }
  if (s.report) s.report->write_fileobject(info, result.xml);
  if (s.jsonl) s.jsonl->write(info, result.jsonl);
  s.stats.merge(result.stats);
  s.hooks->flow_recorded(info, path);
}

void Pipeline::write_unprocessed(const capture::Record& record, uint32_t snaplen) {
  State& s = *state_;
  if (config_.unprocessed_pcap.empty()) return;
  if (s.unprocessed_failed) return;
  if (!s.unprocessed) {
    try {
      s.unprocessed = std::make_unique<capture::PcapWriter>(s.unprocessed_path,
                                                            record.link_type, snaplen);
    } catch (const Error& e) {
      std::fprintf(stderr, "tcpflow: %s; unprocessed packets are not saved\n", e.what());
      s.unprocessed_failed = true;
      s.any_input_failed = true;
      return;
    }
  }
  if (record.link_type != s.unprocessed->link_type()) {
    s.stats.add(Counter::kUnprocessedLinkTypeMismatch);
    return;
  }
  if (!s.unprocessed->write(record)) s.stats.add(Counter::kWriteErrors);
}

void Pipeline::process_source(capture::PacketSource& source, const std::string& name) {
  State& s = *state_;
  std::set<int> warned_link_types;
  capture::Record record;
  decode::DecodedPacket packet;
  flow::PacketContext context;
  context.input_name = std::make_shared<const std::string>(name);
  uint64_t records = 0;
  while (!stop_requested()) {
    capture::ReadStatus status = source.next(record);
    if (status == capture::ReadStatus::kEnd) break;
    if (status == capture::ReadStatus::kTimeout) {
      s.feedback->tick(s.stats);
      if (take_hangup_request()) close_idle(context.ts);
      s.recorder->drain();  // a quiet live capture: finish what has closed
      if (s.report) s.report->flush();
      continue;
    }
    if (status == capture::ReadStatus::kError) {
      if (stop_requested()) break;  // a read interrupted by SIGINT/SIGTERM is no error
      std::fprintf(stderr, "tcpflow: %s: %s%s\n", name.c_str(), source.error().c_str(),
                   records ? " (the packets before it were processed)" : "");
      if (source.truncated()) s.stats.add(Counter::kTruncatedInput);
      if (records == 0) s.any_input_failed = true;
      if (records > 0) s.any_input_truncated = true;
      break;
    }
    ++records;
    s.any_input_read = true;
    if (config_.tdelta_sec != 0) shift_timestamp(record.ts, config_.tdelta_sec);
    context.ts = record.ts;
    context.packet_number = ++s.packet_number;
    s.stats.add(Counter::kPacketsRead);
    s.stats.add(Counter::kBytesRead, record.caplen);
    // Expire first, so a packet after a long silence starts a new flow.
    s.table->expire(record.ts);
    decode::DecodeResult result =
        s.decoder.decode(record.link_type, record.data, record.ts, packet, s.stats);
    if (result == decode::DecodeResult::kTcp) {
      const flow::FlowInfo* direction = s.table->process(packet, context);
      if (direction && s.connection_pcaps) s.connection_pcaps->write(*direction, record);
    } else {
      if (result == decode::DecodeResult::kUnsupportedLink &&
          warned_link_types.insert(record.link_type).second) {
        std::fprintf(stderr, "tcpflow: %s: packets of unsupported link type %d skipped\n",
                     name.c_str(), record.link_type);
      }
      if (result != decode::DecodeResult::kFragmentHeld) write_unprocessed(record, source.snaplen());
    }
    if ((records & 63) == 0) s.feedback->tick(s.stats);
    if ((records & 1023) == 0) {
      s.decoder.expire(record.ts, s.stats);
      // A slow capture may not fill a batch, or 64 report entries, for a long time.
      if (s.background) s.background->flush();
      s.recorder->deliver_finished();
      if (s.report) s.report->flush();
    }
    if (take_hangup_request()) close_idle(record.ts);
  }
}

void Pipeline::close_idle(Timestamp now) {
  State& s = *state_;
  s.table->close_idle(now, hangup_idle_seconds(config_));
  s.recorder->drain();  // SIGHUP promises complete files on disk
  if (s.report) s.report->flush();
}

void Pipeline::drop_privileges_once() {
  State& s = *state_;
  if (s.privileges_dropped) return;
  s.privileges_dropped = true;
  drop_privileges_if_asked(config_);
}

void Pipeline::process_file(const std::string& path, bool resume_only) {
  State& s = *state_;
  std::unique_ptr<capture::PacketSource> source;
  try {
    source = capture::open_capture_file(path, config_.bpf_expression, config_.threads > 1);
  } catch (const Error& e) {
    std::fprintf(stderr, "tcpflow: %s\n", e.what());
    s.stats.add(Counter::kInputErrors);
    s.any_input_failed = true;
    return;
  }
  // Root is given up as soon as the first input is open (tcpflow's rule).
  drop_privileges_once();
  if (!decode::link_type_supported(source->primary_link_type())) {
    std::fprintf(stderr, "tcpflow: %s: unsupported link type %d; file skipped\n", path.c_str(),
                 source->primary_link_type());
    s.stats.add(Counter::kUnsupportedLinkType);
    s.any_input_failed = true;
    return;
  }
  s.table->set_resume_only(resume_only);
  s.feedback->file_started(*source, config_.read_files.size() + config_.resume_files.size());
  process_source(*source, path);
  s.feedback->file_closing();
}

int Pipeline::run() {
  State& s = *state_;
  if (config_.live) {
    std::unique_ptr<capture::LiveSource> source = capture::open_live_capture(
        config_.interface, config_.promiscuous, config_.packet_buffer_timeout_ms,
        config_.bpf_expression);
    s.feedback->live_started(*source);
    drop_privileges_once();
    process_source(*source, config_.interface.empty() ? "default interface" : config_.interface);
    s.feedback->live_stopped();
  } else {
    for (const std::string& path : config_.read_files) {
      process_file(path, false);
      s.feedback->file_finished(s.stats);
    }
    for (const std::string& path : config_.resume_files) {
      process_file(path, true);
      s.feedback->file_finished(s.stats);
    }
  }
  bool interrupted = stop_requested();
  s.table->finish_all(flow::CloseReason::kEndOfInput);
  s.recorder->drain();
  s.closed_flows->flush_all();
  s.hooks->finish();
  if (s.connection_pcaps) s.connection_pcaps->close_all();
  s.fd_cache.evict_all();
  if (s.unprocessed) s.unprocessed->flush();

  report::RunSummary summary;
  s.feedback->finish(summary);
  if (s.report) {
    summary.stats = s.stats;
    report::RunOutcome outcome;
    outcome.inputs_failed = s.any_input_failed;
    outcome.output_failed =
        s.stats.get(Counter::kWriteErrors) > 0 || (s.console && s.console->failed());
    outcome.interrupted = interrupted && !config_.live;
    outcome.truncated = s.any_input_truncated;
    summary.status = std::string(report::run_status(outcome));
    summary.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count();
    summary.stop_reason = interrupted ? "signal" : "end_of_input";
    summary.values.emplace_back("peak_connections", std::to_string(s.table->peak_size()));
    summary.values.emplace_back("peak_held_bytes", std::to_string(s.budget.peak()));
    summary.values.emplace_back("max_held_bytes", std::to_string(s.budget.limit()));
    summary.values.emplace_back("held_bytes_refusals", std::to_string(s.budget.refusals()));
    size_t peak_open = s.fd_cache.peak_open();
    size_t evictions = s.fd_cache.evictions();
    if (s.background) {
      peak_open += s.background->peak_open();
      evictions += s.background->evictions();
    }
    summary.values.emplace_back("peak_open_files", std::to_string(peak_open));
    summary.values.emplace_back("fd_cache_evictions", std::to_string(evictions));
    s.report->finish(summary);
    if (!s.report->ok()) {
      std::fprintf(stderr, "tcpflow: report: %s\n", s.report->error().c_str());
      s.any_input_failed = true;
    }
  }
  bool one_directory = config_.filename_template.find('/') == std::string::npos;
  if (s.namer && one_directory && s.namer->files_named() > 10000 && !config_.quiet) {
    std::fprintf(stderr,
                 "tcpflow: %llu flow files were written; consider -Fk, -Fm or -Fg to spread "
                 "them over subdirectories\n",
                 static_cast<unsigned long long>(s.namer->files_named()));
  }

  if (config_.debug_level >= 2) print_counters(s.stats);

  int status = s.any_input_failed ? 1 : 0;
  if (s.stats.get(Counter::kWriteErrors) > 0) {
    std::fprintf(stderr, "tcpflow: %llu write errors: some flows are incomplete on disk\n",
                 static_cast<unsigned long long>(s.stats.get(Counter::kWriteErrors)));
    status = 1;
  }
  if (s.console && s.console->failed()) status = 1;
  return status;
}

}  // namespace tcpflow::app
