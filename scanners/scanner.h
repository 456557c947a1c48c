// The scanner interface: a scanner looks at one closed flow direction, read
// sequentially in bounded chunks (never the whole flow in memory), and adds
// children to the flow's report entry.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flow/flow_info.h"
#include "report/xml_child.h"
#include "util/byte_view.h"

namespace tcpflow::scanners {

// What scanners contribute to one flow's report entries.
struct ScanResult {
  std::vector<report::XmlChild> xml;                           // children of the fileobject
  std::vector<std::pair<std::string, std::string>> jsonl;      // extra flows.jsonl members
};

class ScanRun {
 public:
  virtual ~ScanRun() = default;
  virtual void update(ByteView chunk) = 0;
  virtual void finish(ScanResult& result) = 0;
};

class Scanner {
 public:
  virtual ~Scanner() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  virtual std::unique_ptr<ScanRun> begin(const flow::FlowInfo& info) = 0;
};

}  // namespace tcpflow::scanners
