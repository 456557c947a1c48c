#include "app/flow_reporter.h"

#include <unistd.h>

#include <cstdio>

#include "app/process_attribution.h"
#include "report/jsonl_writer.h"
#include "report/process_format.h"

namespace tcpflow::app {

void FlowReporter::record(flow::FlowInfo& info, const std::string& path,
                          const flow::FlowInfo* peer, const std::string* peer_path) {
  uint64_t seq = next_seq();
  if (!filter_.keeps(info)) {
    if (compression_.codec != output::Codec::kNone && !path.empty()) {
      compressed_by_->take_compressed(path);
    }
    return;
  }
  scanners::ScanResult result;
  if (!path.empty() && !info.write_failed && !scanners_.empty()) {
    std::string error;
    scanners::ScanTarget target{info, path, peer, peer_path};
    if (!scanners_.scan_file(target, result, error)) {
      std::fprintf(stderr, "tcpflow: scanners could not read %s\n", error.c_str());
    }
  }
  // The path the hooks are told of: the compressed file's, when there is one.
  std::string compressed_path;
  const std::string* recorded = &path;
  if (compression_.codec != output::Codec::kNone && !path.empty() && !info.write_failed) {
    compressed_path = compress(info, path, peer_path != nullptr);
    recorded = &compressed_path;
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
  hooks_.flow_recorded(info, *recorded, src, dst);
  if (netviz_) netviz_->add_flow(info);
}

// The plain file was the staging area of an out-of-order writer; once it is
// complete, one streaming pass compresses it (see doc/ARCHITECTURE.md,
// "Compressed flow files").
std::string FlowReporter::compress(flow::FlowInfo& info, const std::string& path,
                                   bool peer_reads_it) {
  std::optional<output::CompressedFile> packed = compressed_by_->take_compressed(path);
  if (!packed) {
    if (!compressor_) compressor_ = std::make_unique<output::FileCompressor>(compression_);
    packed = compressor_->compress(path);
  }
  if (!packed->ok) {
    ::unlink(packed->path.c_str());
    stats_.add(Counter::kWriteErrors);
    info.write_failed = true;
    info.write_error = packed->error;
    std::fprintf(stderr, "tcpflow: %s: %s; the flow is kept uncompressed\n",
                 packed->path.c_str(), packed->error.c_str());
    return path;
  }
  info.filename += output::codec_suffix(compression_.codec);
  info.compression = output::codec_name(compression_.codec);
  info.compressed_size = packed->compressed;
  if (!packed->plain_left) return packed->path;
  if (peer_reads_it) {
    plain_files_.push_back(path);
  } else {
    ::unlink(path.c_str());
  }
  return packed->path;
}

void FlowReporter::remove_plain_files() {
  for (const std::string& plain : plain_files_) ::unlink(plain.c_str());
  plain_files_.clear();
}

}  // namespace tcpflow::app
