#include "app/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "app/closed_flows.h"
#include "app/connection_filter.h"
#include "app/connection_log.h"
#include "app/connection_pcaps.h"
#include "app/consumer_tee.h"
#include "app/end_of_run.h"
#include "app/flow_hooks.h"
#include "app/flow_recorder.h"
#include "app/flow_reporter.h"
#include "app/netviz_page.h"
#include "app/paths.h"
#include "app/proxy_run.h"
#include "app/process_attribution.h"
#include "app/report_setup.h"
#include "app/run_feedback.h"
#include "app/signals.h"
#include "app/snoop_printer.h"
#include "app/unprocessed_pcap.h"
#include "app/writer_setup.h"
#include "capture/live_source.h"
#include "capture/merged_source.h"
#include "capture/packet_source.h"
#include "decode/decoder.h"
#include "flow/flow_table.h"
#include "output/console_sink.h"
#include "output/fd_cache.h"
#include "output/file_writer.h"
#include "output/write_buffers.h"
#include "output/file_namer.h"
#include "output/filename_template.h"
#include "reassembly/memory_budget.h"
#include "report/dfxml_writer.h"
#include "report/jsonl_writer.h"
#include "report/run_status.h"
#include "scanners/registry.h"
#include "util/error.h"
#include "util/heap_huge_pages.h"
#include "util/stats.h"

namespace tcpflow::app {

namespace {

// The console names a flow without the connection count, as tcpflow 1.6.1 does.
constexpr char kConsoleLabelTemplate[] = "%A.%a-%B.%b%V%v";

constexpr int64_t kLivePollMs = 20;

// SIGHUP closes flows idle this long (capture time), so files of quiet
// connections are complete on disk without stopping the run.
double hangup_idle_seconds(const Config& config) {
  constexpr double kDefaultHangupIdle = 10;
  return config.table.idle_timeout_sec > 0 ? config.table.idle_timeout_sec : kDefaultHangupIdle;
}

// tcpspy's rule: without executables to compare, `exe` is true; say so once.
void warn_about_rules(const Config& config) {
  if (config.attrib.rules.uses_exe() && !config.attrib.processes) {
    std::fprintf(stderr,
                 "tcpflow: warning: 'exe' in a rule is true for every connection without "
                 "--processes\n");
  }
}

}  // namespace

struct Pipeline::State {
  explicit State(const Config& config)
      : budget(config.max_held_bytes),
        decoder(config.defrag, config.tunnels),
        fd_cache(static_cast<size_t>(config.max_fds > 0 ? config.max_fds : 0)),
        scanner_set(scanners::ScannerSet::select(config.scanners, config.scanner_options)) {}

  HeapHugePages heap_pages;  // first: the run's allocations come after it
  Stats stats;
  std::unique_ptr<ProcessAttribution> attribution;  // --processes; outlives its users
  ConnectionFilter filter;  // --shard, --rule: what is recorded
  reassembly::MemoryBudget budget;
  decode::PacketDecoder decoder;
  output::FdCache fd_cache;
  output::WriteBuffers write_buffers;
  // Declared before everything that writes flow files, so it outlives them.
  std::unique_ptr<output::FileWriter> file_writer;
  scanners::ScannerSet scanner_set;
  std::unique_ptr<output::FileNamer> namer;
  std::unique_ptr<output::FileNamer> pcap_namer;
  std::unique_ptr<ConnectionPcaps> connection_pcaps;
  std::unique_ptr<output::ConsoleWriter> console;
  std::unique_ptr<FlowHooks> hooks;  // -S tcp_cmd, tcp_alert_fd
  std::unique_ptr<report::DfxmlWriter> report;
  std::unique_ptr<report::JsonlWriter> jsonl;
  std::unique_ptr<FlowReporter> reporter;
  std::unique_ptr<ConnectionLog> connlog;  // --connlog
  std::unique_ptr<ConsumerTee> consumers;  // the reporter, then the connection log
  std::unique_ptr<SnoopPrinter> snoop;     // --snoop
  std::unique_ptr<ClosedFlows> closed_flows;
  std::unique_ptr<FlowRecorder> recorder;
  std::unique_ptr<flow::FlowTable> table;
  std::unique_ptr<UnprocessedPcap> unprocessed;  // -w
  std::unique_ptr<RunFeedback> feedback;  // notices and progress on stderr
  std::unique_ptr<NetvizPage> netviz;            // -e netviz
  uint64_t packet_number = 0;
  bool any_input_failed = false;
  bool any_input_read = false;
  bool any_input_truncated = false;  // ended early after some records
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
  // Before privileges are dropped: socket diagnostics and /proc are opened now.
  if (config.attrib.processes) {
    s.attribution = std::make_unique<ProcessAttribution>(attrib::Attributor::Lookup{}, &s.stats);
  }
  s.filter = ConnectionFilter(config.shard, &config.attrib.rules, s.attribution.get());
  warn_about_rules(config);
  if (config.attrib.snoop) {
    s.snoop = std::make_unique<SnoopPrinter>(stdout, config.attrib.snoop_time,
                                             config.console_options.json, s.filter,
                                             s.attribution.get());
  }
  const bool netviz = s.scanner_set.enabled("netviz");
  bool console = config.console != ConsoleMode::kNone;
  bool no_files = console || config.attrib.snoop;  // -c, -C, --snoop: stdout, no flow files
  if (!no_files || !config.report_path.empty() || netviz) make_directories(config.outdir);
  bool jailed = !config.chroot_dir.empty();
  std::string outdir = jailed && !no_files ? outside_jail_path(config.outdir) : config.outdir;
  if (netviz) {
    s.netviz = std::make_unique<NetvizPage>(config, jailed ? outside_jail_path(config.outdir) : outdir);
  }
  // -w in a sharded run: shard 0 alone saves the packets every shard skips.
  if (!config.unprocessed_pcap.empty() && config.shard.index == 0) {
    s.unprocessed = std::make_unique<UnprocessedPcap>(
        jailed ? outside_jail_path(config.unprocessed_pcap) : config.unprocessed_pcap, s.stats);
  }
  if (console) {
    s.console = std::make_unique<output::ConsoleWriter>(stdout, config.console_options);
  } else {
    s.namer = std::make_unique<output::FileNamer>(
        outdir, output::FilenameTemplate::parse(config.filename_template, config.always_count));
    if (s.namer->names_processes() && !s.attribution) {
      std::fprintf(stderr,
                   "tcpflow: -T: %%U and %%P name a connection's process only with --processes "
                   "(live capture); here every flow gets '%s'\n",
                   output::FilenameTemplate::kUnknownProcess);
    }
  }
  s.file_writer = make_file_writer(config, s.fd_cache, !s.scanner_set.empty(),
                                   s.scanner_set.enabled("md5"), outdir);
  // Before the report is created: an earlier run's report.xml tells of a rerun.
  s.feedback = std::make_unique<RunFeedback>(config, no_files ? std::string() : outdir);
  s.report = open_report(config);
  if (!config.jsonl_path.empty()) s.jsonl = std::make_unique<report::JsonlWriter>(config.jsonl_path);
  if (s.report) {
    for (const std::string& path : config.read_files) s.report->add_source(describe_input(path, config));
    for (const std::string& path : config.resume_files) s.report->add_source(describe_input(path, config));
  }
  if (config.split_pcap && !console) {
    // A namer of its own, so pcap names never take a count from flow files.
    s.pcap_namer = std::make_unique<output::FileNamer>(
        outdir, output::FilenameTemplate::parse(config.filename_template, config.always_count));
    s.connection_pcaps = std::make_unique<ConnectionPcaps>(*s.pcap_namer, s.fd_cache,
                                                           s.write_buffers, s.stats);
    s.connection_pcaps->keep_only(s.filter);
    s.connection_pcaps->name_processes_with(s.attribution.get());
  }
  s.reporter = std::make_unique<FlowReporter>(s.scanner_set, s.report.get(), s.jsonl.get(),
                                              *s.hooks, s.connection_pcaps.get(),
                                              s.netviz.get(), s.stats);
  s.reporter->keep_only(s.filter);
  s.reporter->attribute_with(s.attribution.get());
  s.reporter->compress_files(config.compression, *s.file_writer);
  std::vector<ClosedFlows::Consumer*> consumers{s.reporter.get()};
  if (!config.attrib.connlog.empty()) {
    s.connlog = std::make_unique<ConnectionLog>(config.attrib, s.filter, s.attribution.get());
    consumers.push_back(s.connlog.get());
  }
  if (s.attribution) consumers.push_back(s.attribution.get());  // last: forgets the connection
  ClosedFlows::Consumer* consumer = s.reporter.get();
  if (consumers.size() > 1) {
    s.consumers = std::make_unique<ConsumerTee>(std::move(consumers));
    consumer = s.consumers.get();
  }
  s.closed_flows = std::make_unique<ClosedFlows>(*s.file_writer, !s.scanner_set.empty(),
                                                 *consumer, s.stats);
  if (s.attribution) s.closed_flows->wait_also_for(*s.attribution);
  if (console) {
    s.recorder = std::make_unique<FlowRecorder>(
        *s.console, output::FilenameTemplate::parse(kConsoleLabelTemplate), *s.closed_flows,
        s.stats);
  } else {
    FlowFiles files{*s.namer, *s.file_writer, s.write_buffers, *s.hooks,
                    config.store_flows, config.write_findx, s.feedback.get()};
    s.recorder = std::make_unique<FlowRecorder>(files, *s.closed_flows, s.stats);
  }
  s.recorder->keep_only(s.filter);
  s.recorder->name_processes_with(s.attribution.get());
  flow::FlowTableConfig table_config = config.table;
  // The http scanner gives each message the time its first byte arrived.
  std::vector<std::string> scanner_names = s.scanner_set.names();
  table_config.record_write_times =
      std::find(scanner_names.begin(), scanner_names.end(), "http") != scanner_names.end();
  s.table = std::make_unique<flow::FlowTable>(table_config, *s.recorder, s.budget, s.stats);
}

Pipeline::~Pipeline() = default;

void Pipeline::process_source(capture::PacketSource& source, const std::string& name,
                              const std::vector<flow::InputName>* inputs) {
  State& s = *state_;
  std::set<int> warned_link_types;
  capture::Record record;
  decode::DecodedPacket packet;
  flow::PacketContext context;
  context.input_name = std::make_shared<const std::string>(name);
  const auto* merged = inputs ? dynamic_cast<const capture::MergedSource*>(&source) : nullptr;
  uint64_t records = 0;
  int64_t last_poll_ms = 0;
  if (s.unprocessed) s.unprocessed->note_input(source.primary_link_type(), source.snaplen());
  while (!stop_requested()) {
    capture::ReadStatus status = source.next(record);
    if (status == capture::ReadStatus::kEnd) break;
    if (merged && status == capture::ReadStatus::kPacket) {
      context.input_name = (*inputs)[merged->current_input()];
    }
    if (status == capture::ReadStatus::kTimeout) {
      s.feedback->tick(s.stats);
      if (take_hangup_request()) close_idle(context.ts);
      if (s.attribution) s.attribution->poll();
      s.closed_flows->drain();  // a quiet live capture: finish what has closed
      if (s.report) s.report->flush();
      continue;
    }
    if (status == capture::ReadStatus::kError) {
      if (stop_requested()) break;  // a read interrupted by SIGINT/SIGTERM is no error
      s.feedback->break_line();
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
    const flow::FlowInfo* direction = nullptr;
    if (result == decode::DecodeResult::kTcp) {
      direction = s.table->process(packet, context);
      if (direction && s.attribution) s.attribution->observe(*direction);
      if (direction && s.snoop) s.snoop->packet(*direction, packet.tcp, record.ts);
      if (direction && s.connection_pcaps) s.connection_pcaps->write(*direction, record);
    } else {
      if (result == decode::DecodeResult::kUnsupportedLink &&
          warned_link_types.insert(record.link_type).second) {
        std::fprintf(stderr, "tcpflow: %s: packets of unsupported link type %d skipped\n",
                     context.input_name->c_str(), record.link_type);
      }
      if (result != decode::DecodeResult::kFragmentHeld && s.unprocessed) {
        s.unprocessed->write(record, source.snaplen());
      }
    }
    if (s.netviz) s.netviz->add_packet(record, result, packet, direction);
    if ((records & 63) == 0) {
      s.feedback->tick(s.stats);
      s.heap_pages.refresh();
    }
    // Live, the writer's batches go out at least every kLivePollMs of
    // capture time, so a busy capture's files appear as their bytes come.
    const int64_t now_ms = record.ts.sec * 1000 + record.ts.nsec / 1000000;
    if ((records & 1023) == 0 || (config_.live && now_ms - last_poll_ms >= kLivePollMs)) {
      last_poll_ms = now_ms;
      s.decoder.expire(record.ts, s.stats);
      if (s.attribution) s.attribution->poll();
      // A slow capture may not fill a batch, or 64 report entries, for a long time.
      s.closed_flows->poll();
      if (s.report) s.report->flush();
    }
    if (take_hangup_request()) close_idle(record.ts);
  }
}

void Pipeline::close_idle(Timestamp now) {
  State& s = *state_;
  s.table->close_idle(now, hangup_idle_seconds(config_));
  finish_for_hangup();
}

void Pipeline::finish_for_hangup() {
  State& s = *state_;
  s.closed_flows->drain();  // SIGHUP promises complete files on disk
  if (s.connlog) s.connlog->reopen();  // logrotate moved it
  if (s.report) s.report->flush();
}

void Pipeline::drop_privileges_once() {
  State& s = *state_;
  if (s.privileges_dropped) return;
  s.privileges_dropped = true;
  drop_privileges_if_asked(config_);
  if (s.attribution && !config_.drop_user.empty()) s.attribution->privileges_dropped();
}

// Null (after saying why on stderr) when the file cannot be read or its link
// type is not one we decode.
std::unique_ptr<capture::PacketSource> Pipeline::open_input(const std::string& path) {
  State& s = *state_;
  std::unique_ptr<capture::PacketSource> source;
  try {
    source = capture::open_capture_file(path, config_.bpf_expression, config_.threads > 1);
  } catch (const Error& e) {
    if (stop_requested()) return nullptr;  // SIGINT/SIGTERM cut the open short
    s.feedback->break_line();
    std::fprintf(stderr, "tcpflow: %s\n", e.what());
    s.stats.add(Counter::kInputErrors);
    s.any_input_failed = true;
    return nullptr;
  }
  // Root is given up as soon as the first input is open (tcpflow's rule).
  drop_privileges_once();
  if (!decode::link_type_supported(source->primary_link_type())) {
    std::fprintf(stderr, "tcpflow: %s: unsupported link type %d; file skipped\n", path.c_str(),
                 source->primary_link_type());
    s.stats.add(Counter::kUnsupportedLinkType);
    s.any_input_failed = true;
    return nullptr;
  }
  return source;
}

void Pipeline::process_merged_files() {
  State& s = *state_;
  std::vector<std::unique_ptr<capture::PacketSource>> sources;
  std::vector<flow::InputName> names;
  for (const std::string& path : config_.read_files) {
    if (std::unique_ptr<capture::PacketSource> source = open_input(path)) {
      sources.push_back(std::move(source));
      names.push_back(std::make_shared<const std::string>(path));
    }
  }
  capture::MergedSource merged(
      std::move(sources), [&](size_t input, const std::string& error, bool truncated) {
        // The other inputs go on, as they would one after the other.
        std::fprintf(stderr, "tcpflow: %s: %s%s\n", names[input]->c_str(), error.c_str(),
                     merged.records_from(input) ? " (the packets before it were processed)" : "");
        if (merged.records_from(input) == 0) s.any_input_failed = true;
        if (truncated) s.stats.add(Counter::kTruncatedInput);
      });
  s.table->set_resume_only(false);
  process_source(merged, "merged inputs", &names);
}

void Pipeline::process_file(const std::string& path, bool resume_only) {
  State& s = *state_;
  std::unique_ptr<capture::PacketSource> source = open_input(path);
  if (!source) return;
  s.table->set_resume_only(resume_only);
  s.feedback->file_started(*source, config_.read_files.size() + config_.resume_files.size());
  process_source(*source, path);
  s.feedback->file_closing();
}

int Pipeline::run() {
  State& s = *state_;
  if (config_.proxy.active()) {
    run_proxy(config_, *s.recorder, *s.closed_flows, s.report.get(),
              [this] { drop_privileges_once(); },
              [this] { finish_for_hangup(); }, s.attribution.get());
  } else if (config_.live) {
    std::unique_ptr<capture::LiveSource> source = capture::open_live_capture(
        config_.interface, config_.promiscuous, config_.packet_buffer_timeout_ms,
        config_.bpf_expression, config_.capture_buffer_bytes);
    s.feedback->live_started(*source);
    drop_privileges_once();
    process_source(*source, config_.interface.empty() ? "default interface" : config_.interface);
    s.feedback->live_stopped();
  } else {
    if (config_.merge_inputs) {
      process_merged_files();
    } else {
      for (const std::string& path : config_.read_files) {
        process_file(path, false);
        s.feedback->file_finished(s.stats);
      }
    }
    for (const std::string& path : config_.resume_files) {
      process_file(path, true);
      s.feedback->file_finished(s.stats);
    }
  }
  bool interrupted = stop_requested();
  s.table->finish_all(flow::CloseReason::kEndOfInput);
  s.closed_flows->finish();
  s.hooks->finish();
  if (s.connection_pcaps) s.connection_pcaps->close_all();
  s.fd_cache.evict_all();
  if (s.unprocessed && !s.unprocessed->finish()) s.any_input_failed = true;

  report::RunOutcome outcome;
  outcome.inputs_failed = s.any_input_failed;
  outcome.output_failed = s.stats.get(Counter::kWriteErrors) > 0 ||
                          (s.unprocessed && s.unprocessed->failed()) ||
                          (s.console && s.console->failed()) ||
                          (s.connlog && s.connlog->failed()) ||
                          (s.snoop && s.snoop->failed());
  outcome.interrupted = interrupted && !config_.live;  // SIGINT is how a live capture ends
  outcome.truncated = s.any_input_truncated;
  report::RunSummary summary = run_summary(s.stats, figures(interrupted));
  summary.status = std::string(report::run_status(outcome));
  s.feedback->finish(summary);
  if (s.report && !finish_report(*s.report, summary)) {
    s.any_input_failed = true;
  }
  if (s.netviz && !s.netviz->draw(s.stats)) s.any_input_failed = true;
  if (s.namer) advise_subdirectories(config_, s.namer->files_named());
  if (config_.debug_level >= 2) print_counters(s.stats);
  bool failed = s.any_input_failed || (s.unprocessed && s.unprocessed->failed());
  return exit_status(failed, s.stats, s.console && s.console->failed());
}

RunFigures Pipeline::figures(bool interrupted) const {
  const State& s = *state_;
  RunFigures figures;
  figures.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count();
  figures.interrupted = interrupted;
  figures.peak_connections = s.table->peak_size();
  figures.peak_held_bytes = s.budget.peak();
  figures.max_held_bytes = s.budget.limit();
  figures.held_bytes_refusals = s.budget.refusals();
  figures.peak_open_files = s.fd_cache.peak_open() + s.file_writer->peak_open();
  figures.fd_cache_evictions = s.fd_cache.evictions() + s.file_writer->evictions();
  return figures;
}

}  // namespace tcpflow::app
