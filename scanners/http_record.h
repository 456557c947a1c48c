// One HTTP message as a flows.jsonl line: {"record":"http",...} with the
// flow's connection_id, flow_id and filename, then the message's
// <tcpflow:http> attributes as members (offsets, sizes and the status as
// numbers, everything else as strings), so both files say the same.
#pragma once
#include <string>

#include "flow/flow_info.h"
#include "report/xml_child.h"

namespace tcpflow::scanners {

std::string http_json_record(const flow::FlowInfo& info, const report::XmlChild& message);

}  // namespace tcpflow::scanners
