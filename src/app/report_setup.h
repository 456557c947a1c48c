// Setup helpers kept out of the pipeline: opening the report with the run's
// context, describing inputs for it, and dropping privileges (-U, -z).
#pragma once
#include <memory>
#include <string>

#include "app/config.h"
#include "report/dfxml_writer.h"
#include "report/run_context.h"

namespace tcpflow::app {

// The DFXML writer the configuration asks for, or nullptr (-S enable_report=NO,
// or console mode without -X). Throws tcpflow::Error if it cannot be created.
std::unique_ptr<report::DfxmlWriter> open_report(const Config& config);

// Path, size and (with -S sha256_inputs=YES) SHA-256 of an input file.
report::InputSource describe_input(const std::string& path, const Config& config);

// -z then -U: chroot and switch to the user, after inputs and outputs are
// open. Throws tcpflow::Error when it cannot.
void drop_privileges_if_asked(const Config& config);

}  // namespace tcpflow::app
