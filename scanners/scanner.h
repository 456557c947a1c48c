// The scanner interface: a scanner looks at one closed flow direction, read
// sequentially in bounded chunks (never the whole flow in memory), and adds
// children to the flow's report entry.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flow/flow_info.h"
#include "report/xml_child.h"
#include "scanners/scanner_options.h"
#include "util/byte_view.h"
#include "util/stats.h"

namespace tcpflow::scanners {

// One closed flow direction to scan. Scanners run once the whole connection
// has left the flow table, so the other direction (when it was recorded) is
// complete on disk too: the http scanner needs the requests to read the
// responses (a response to HEAD has no body).
struct ScanTarget {
  const flow::FlowInfo& info;
  const std::string& path;                  // the flow file as opened
  const flow::FlowInfo* peer = nullptr;     // the other direction, if it has a file
  const std::string* peer_path = nullptr;
};

// What scanners contribute to one flow's report entries.
struct ScanResult {
  std::vector<report::XmlChild> xml;                           // children of the fileobject
  std::vector<std::pair<std::string, std::string>> jsonl;      // extra flows.jsonl members
  Stats stats;  // counted into the run's totals (e.g. python_errors)
};

class ScanRun {
 public:
  virtual ~ScanRun() = default;
  virtual void update(ByteView chunk) = 0;
  // False once the rest of the flow cannot change the result (http: not
  // HTTP, or past an Upgrade): when no run wants more, reading stops early.
  virtual bool wants_more() const { return true; }
  virtual void finish(ScanResult& result) = 0;
};

class Scanner {
 public:
  virtual ~Scanner() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // The -S settings it reads, one "name=default  meaning" per line (-H).
  virtual std::string_view settings_help() const { return {}; }
  // Whether -a / -e all turn it on (python: only when -S py_module names a plugin).
  virtual bool enabled_by_all() const { return true; }
  // Called once when the scanner is enabled for a run, before any packet is
  // read; throws tcpflow::Error when it cannot work (python: no such module).
  virtual void setup() {}
  // False for a scanner that draws on the whole run instead of reading flow
  // files (netviz): the pipeline feeds it, and flows are not read for it.
  virtual bool reads_flows() const { return true; }
  // Returns nullptr when the scanner has nothing to do for this flow.
  virtual std::unique_ptr<ScanRun> begin(const ScanTarget& target) = 0;
};

}  // namespace tcpflow::scanners
