#include "app/flow_reporter.h"

#include <cstdio>

#include "app/process_attribution.h"
#include "report/jsonl_writer.h"
#include "report/process_format.h"

namespace tcpflow::app {

void FlowReporter::record(flow::FlowInfo& info, const std::string& path,
                          const flow::FlowInfo* peer, const std::string* peer_path) {
  uint64_t seq = next_seq();
  if (!filter_.keeps(info)) return;
  scanners::ScanResult result;
  if (!path.empty() && !info.write_failed && !scanners_.empty()) {
    std::string error;
    scanners::ScanTarget target{info, path, peer, peer_path};
    if (!scanners_.scan_file(target, result, error)) {
      std::fprintf(stderr, "tcpflow: scanners could not read %s\n", error.c_str());
    }
  }
  const flow::ProcessInfo* src = nullptr;
  const flow::ProcessInfo* dst = nullptr;
  if (attribution_) {
    src = attribution_->find(info.connection_id, info.src, info.src_port);
    dst = attribution_->find(info.connection_id, info.dst, info.dst_port);
    if (src) result.xml.push_back(report::process_xml("src", *src));
    if (dst) result.xml.push_back(report::process_xml("dst", *dst));
  }
  if (report_) report_->write_fileobject(info, result.xml, seq);
  if (jsonl_) {
    if (attribution_) {
      jsonl_->write_record(
          report::with_processes(report::JsonlWriter::format(info, result.jsonl), src, dst), seq);
    } else {
      jsonl_->write(info, result.jsonl, seq);
    }
    for (const std::string& line : result.jsonl_records) jsonl_->write_record(line, seq);
  }
  stats_.merge(result.stats);
  hooks_.flow_recorded(info, path);
  if (netviz_) netviz_->add_flow(info);
}

}  // namespace tcpflow::app
