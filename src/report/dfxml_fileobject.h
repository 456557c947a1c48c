// Writes one flow direction as a DFXML <fileobject>. Internal to the report
// module: DfxmlWriter calls it; tests go through DfxmlWriter.
#pragma once
#include <vector>

#include "flow/flow_info.h"
#include "report/xml_child.h"
#include "report/xml_emitter.h"

namespace tcpflow::report {

// shard_seq: the single run's position of this fileobject, written by
// --shard runs only (0: not written); see merge/report_merger.h.
void emit_fileobject(XmlEmitter& xml, const flow::FlowInfo& info,
                     const std::vector<XmlChild>& extra, uint64_t shard_seq = 0);

}  // namespace tcpflow::report
