// Owns every object of a run and drives packets through them:
// capture → decode → flow table → reassembler → flow files → report.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/end_of_run.h"
#include "capture/packet_source.h"
#include "flow/flow_info.h"
#include "util/timestamp.h"

namespace tcpflow::app {

class Pipeline {
 public:
  // Sets up the output directory, report and writers; throws tcpflow::Error.
  explicit Pipeline(const Config& config);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Processes every input; returns the process exit status.
  int run();

 private:
  struct State;
  void drop_privileges_once();
  // SIGHUP: closes flows idle long enough and waits until their files are written.
  void close_idle(Timestamp now);
  // The rest of SIGHUP (the proxy's too): every closed flow's file complete
  // on disk, the connection log reopened, the report flushed.
  void finish_for_hangup();
  void process_file(const std::string& path, bool resume_only);
  // `inputs`: with --merge-inputs, the name of each input of the MergedSource
  // `source`, so each packet's flow notes the file it came from.
  void process_source(capture::PacketSource& source, const std::string& name,
                      const std::vector<flow::InputName>* inputs = nullptr);
  // --merge-inputs: the -r files as one capture, in packet-time order.
  void process_merged_files();
  std::unique_ptr<capture::PacketSource> open_input(const std::string& path);
  RunFigures figures(bool interrupted) const;

  const Config& config_;
  std::unique_ptr<State> state_;
};

}  // namespace tcpflow::app
