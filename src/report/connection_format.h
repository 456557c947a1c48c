// How a connection record (flow/connection_record.h) is spelled in
// flows.jsonl and report.xml, so both agree to the character. The member
// names follow Zeek's conn.log where it has one (orig_/resp_, state,
// history, duration).
#pragma once
#include <string>

#include "flow/connection_record.h"
#include "report/xml_emitter.h"
#include "util/timestamp.h"

namespace tcpflow::report {

// end - start, never negative (packets out of time order give 0).
Timestamp connection_duration(const flow::ConnectionRecord& record);

// One flows.jsonl line, without the newline: {"record":"connection",...}.
std::string connection_json(const flow::ConnectionRecord& record);

// <tcpflow:connection .../> with the same facts as attributes.
// shard_seq: written by --shard runs only (0: not written); see merge/report_merger.h.
void emit_connection(XmlEmitter& xml, const flow::ConnectionRecord& record,
                     uint64_t shard_seq = 0);

}  // namespace tcpflow::report
