// -K: one pcap per connection (both directions in one file, the input's own
// link type) beside the flow files, named after the connection's first
// direction with ".pcap" appended. Files go through the descriptor cache,
// so any number of connections can be open at once.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "capture/packet_source.h"
#include "flow/flow_info.h"
#include "app/connection_filter.h"
#include "output/direct_file_writer.h"
#include "output/fd_cache.h"
#include "output/file_namer.h"
#include "output/flow_file_sink.h"
#include "output/write_buffers.h"
#include "util/stats.h"

namespace tcpflow::app {

class ProcessAttribution;

class ConnectionPcaps {
 public:
  // Written on this thread, with descriptors from `fd_cache`.
  ConnectionPcaps(output::FileNamer& namer, output::FdCache& fd_cache,
                  output::WriteBuffers& buffers, Stats& stats);
  ~ConnectionPcaps();

  // Appends `record` to the pcap of the connection `direction` belongs to.
  void write(const flow::FlowInfo& direction, const capture::Record& record);
  // --shard: connections of other shards are named (so names and counts
  // match a single run) but get no file.
  void keep_only(const ConnectionFilter& filter) { filter_ = filter; }
  // --processes: %U and %P name the connection's process, as for its flow
  // files (its first packet then waits for the lookup, at most
  // ProcessAttribution::kAnswerWait). `attribution` must outlive this.
  void name_processes_with(ProcessAttribution* attribution) { attribution_ = attribution; }
  // The connection is over: close its file (its mtime is its last packet).
  void close(uint64_t connection_id);
  void close_all();

 private:
  struct File {
    std::unique_ptr<output::FlowFileSink> sink;
    uint64_t size = 0;
    int link_type = 0;
    Timestamp last_ts;
  };

  output::FileNamer& namer_;
  output::DirectFileWriter writer_;
  output::WriteBuffers& buffers_;
  Stats& stats_;
  std::unordered_map<uint64_t, File> files_;  // a null sink: another shard's connection
  ConnectionFilter filter_;
  ProcessAttribution* attribution_ = nullptr;
};

}  // namespace tcpflow::app
