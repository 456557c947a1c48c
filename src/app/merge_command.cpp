#include "app/merge_command.h"

#include <cstdio>

#include "merge/report_merger.h"

namespace tcpflow::app {

int run_merge_reports(const Config& config) {
  merge::MergeRequest request;
  request.report_path =
      config.report_path.empty() ? config.outdir + "/report.xml" : config.report_path;
  request.jsonl_path = config.jsonl_path;
  merge::MergeResult result = merge::merge_reports(request);
  if (!config.quiet) {
    std::fprintf(stderr, "tcpflow: merged %u shard reports (%llu flows) into %s%s%s\n",
                 result.shards, static_cast<unsigned long long>(result.fileobjects),
                 request.report_path.c_str(), result.jsonl_path.empty() ? "" : " and ",
                 result.jsonl_path.c_str());
  }
  return 0;
}

}  // namespace tcpflow::app
