// How the process owning one end of a flow (--processes) is written in
// flows.jsonl ("src_process"/"dst_process" objects, null when unknown) and
// in report.xml (<tcpflow:process end="src|dst" .../> children). See
// src/report/FORMAT.md.
#pragma once
#include <string>

#include "flow/process_info.h"
#include "report/xml_child.h"

namespace tcpflow::report {

// {"uid":N,"user":"..","pid":N,"ppid":N,"cmd":"..","exe":"..","cmdline":".."},
// or null; an empty exe or cmdline (unreadable) is null.
std::string process_json(const flow::ProcessInfo* process);

// `line` (one JSON object) with the `src_process` and `dst_process` members
// added at its end.
std::string with_processes(std::string line, const flow::ProcessInfo* src,
                           const flow::ProcessInfo* dst);

// <process end="src" uid=.. user=.. pid=.. ppid=.. cmd=.. exe=.. cmdline=../>
XmlChild process_xml(const char* end, const flow::ProcessInfo& process);

}  // namespace tcpflow::report
