// http: parses the HTTP/1.x messages of each flow (requests or responses,
// decided by content), writes every non-empty body to
// FLOW-HTTPBODY-NNN[.ext] (de-chunked and, unless -Z, gunzipped/inflated),
// and adds one <tcpflow:http> per message plus one <tcpflow:http_stream> per
// HTTP flow to the report (src/report/FORMAT.md).
#pragma once
#include <memory>

#include "scanners/scanner.h"

namespace tcpflow::scanners {

std::unique_ptr<Scanner> make_http_scanner(const ScannerOptions& options);

}  // namespace tcpflow::scanners
