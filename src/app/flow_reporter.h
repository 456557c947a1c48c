// The end of a closed flow's path: once the closed-flow stage releases a
// direction, runs the scanners over its file and writes its report entries
// (DFXML, JSON Lines), and tells the hooks (-S tcp_alert_fd, tcp_cmd); once
// it releases a connection, closes the connection's -K pcap.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "app/closed_flows.h"
#include "app/connection_pcaps.h"
#include "app/flow_hooks.h"
#include "app/netviz_page.h"
#include "report/dfxml_writer.h"
#include "report/jsonl_writer.h"
#include "app/connection_filter.h"
#include "flow/shard.h"
#include "output/file_compressor.h"
#include "output/file_writer.h"
#include "scanners/registry.h"
#include "util/stats.h"

namespace tcpflow::app {

class ProcessAttribution;

class FlowReporter : public ClosedFlows::Consumer {
 public:
  // Any of `report`, `jsonl`, `connection_pcaps` and `netviz` may be null
  // (not asked for).
  FlowReporter(const scanners::ScannerSet& scanners, report::DfxmlWriter* report,
               report::JsonlWriter* jsonl, FlowHooks& hooks, ConnectionPcaps* connection_pcaps,
               NetvizPage* netviz, Stats& stats)
      : scanners_(scanners),
        report_(report),
        jsonl_(jsonl),
        hooks_(hooks),
        connection_pcaps_(connection_pcaps),
        netviz_(netviz),
        stats_(stats) {}

  // --shard: every entry is numbered in the single run's order (the merge
  // sorts by it), but only the shard's own connections (that match the
  // rules) are scanned, reported and told to the hooks.
  void keep_only(const ConnectionFilter& filter) { filter_ = filter; }
  // --processes: each entry names the processes of its ends (may be null).
  void attribute_with(ProcessAttribution* attribution) { attribution_ = attribution; }
  // --compress: each entry names NAME.gz and gives both sizes. A writer
  // with threads of its own has compressed the file in its close job; for
  // one that has not (a direct writer), the file is compressed here, once
  // scanned. Either way the plain file goes once the scanners are done.
  void compress_files(const output::CompressionOptions& options, output::FileWriter& writer) {
    compression_ = options;
    compressed_by_ = &writer;
  }
  // Plain files a peer direction could still have read are removed here.
  ~FlowReporter() { remove_plain_files(); }
  FlowReporter(const FlowReporter&) = delete;
  FlowReporter& operator=(const FlowReporter&) = delete;

  void file_complete(const flow::FlowInfo& info, const std::string& path) override {
    if (filter_.keeps(info)) hooks_.file_closed(info, path);
  }
  void record(flow::FlowInfo& info, const std::string& path, const flow::FlowInfo* peer,
              const std::string* peer_path) override;
  void connection_complete(uint64_t connection_id) override {
    remove_plain_files();
    if (connection_pcaps_) connection_pcaps_->close(connection_id);
    if (netviz_) netviz_->connection_closed(connection_id);
  }
  // After its directions' entries, so a reader meets the flows first.
  void connection_recorded(const flow::ConnectionRecord& record) override {
    uint64_t seq = next_seq();
    if (!filter_.keeps(record)) return;
    if (report_) report_->write_connection(record, seq);
    if (jsonl_) jsonl_->write_connection(record, seq);
  }

 private:
  const scanners::ScannerSet& scanners_;
  report::DfxmlWriter* report_;
  report::JsonlWriter* jsonl_;
  FlowHooks& hooks_;
  ConnectionPcaps* connection_pcaps_;
  NetvizPage* netviz_;
  Stats& stats_;
  ConnectionFilter filter_;
  ProcessAttribution* attribution_ = nullptr;
  uint64_t entries_ = 0;  // --shard: report entries of the single run so far

  uint64_t next_seq() { return filter_.shard().active() ? ++entries_ : 0; }
  // Compresses the flow's file; returns the path to tell the hooks.
  std::string compress(flow::FlowInfo& info, const std::string& path, bool peer_reads_it);
  void remove_plain_files();

  output::CompressionOptions compression_;
  output::FileWriter* compressed_by_ = nullptr;
  std::unique_ptr<output::FileCompressor> compressor_;  // for files the writer did not compress
  std::vector<std::string> plain_files_;  // compressed, kept for the peer's scan
};

}  // namespace tcpflow::app
