// Writes one flow direction as a DFXML <fileobject>. Internal to the report
// module: DfxmlWriter calls it; tests go through DfxmlWriter.
#pragma once
#include <string>
#include <vector>

#include "flow/flow_info.h"
#include "report/xml_child.h"
#include "report/xml_emitter.h"

namespace tcpflow::report {

// sole_input: the path of the report's <source> when it lists exactly one
// input (null otherwise); a flow read from it alone lists no <tcpflow:input>.
// shard_seq: the single run's position of this fileobject, written by
// --shard runs only (0: not written); see merge/report_merger.h.
void emit_fileobject(XmlEmitter& xml, const flow::FlowInfo& info,
                     const std::vector<XmlChild>& extra, const std::string* sole_input = nullptr,
                     uint64_t shard_seq = 0);

}  // namespace tcpflow::report
