// Owns every object of a run and drives packets through them:
// capture → decode → flow table → reassembler → flow files → report.
#pragma once
#include <memory>
#include <string>

#include "app/config.h"

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
  const Config& config_;
  std::unique_ptr<State> state_;
};

}  // namespace tcpflow::app
