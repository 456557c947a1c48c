// Writes one flow direction as a DFXML <fileobject>. Internal to the report
// module: DfxmlWriter calls it; tests go through DfxmlWriter.
#pragma once
#include <vector>

#include "flow/flow_info.h"
#include "report/xml_child.h"
#include "report/xml_emitter.h"

namespace tcpflow::report {

void emit_fileobject(XmlEmitter& xml, const flow::FlowInfo& info,
                     const std::vector<XmlChild>& extra);

}  // namespace tcpflow::report
