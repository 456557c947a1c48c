// tcpflow: records TCP connections from captures or a live interface.
#include <cstdio>
#include <exception>
#include <iostream>

#include "app/merge_command.h"
#include "app/netviz_page.h"
#include "app/options.h"
#include "app/pipeline.h"
#include "app/signals.h"
#include "proxy/signal_fd.h"
#include "scanners/registry.h"
#include "util/error.h"

int main(int argc, char** argv) {
  using namespace tcpflow;
  try {
    app::ParsedCommandLine parsed = app::parse_options(argc, argv);
    switch (parsed.action) {
      case app::Action::kHelp:
        std::cout << app::help_text(false);
        return 0;
      case app::Action::kMoreHelp:
        std::cout << app::help_text(true);
        return 0;
      case app::Action::kScannerHelp:
        std::cout << scanners::help_text();
        return 0;
      case app::Action::kVersion:
        std::cout << app::version_text() << "\n";
        return 0;
      case app::Action::kNetvizFrom:
        return app::draw_netviz_from(parsed.config);
      case app::Action::kRun:
        break;
    }
    if (parsed.config.merge_reports) return app::run_merge_reports(parsed.config);
    app::install_signal_handlers();
    // Before any thread starts: the proxy takes its stop signals from a signalfd.
    if (parsed.config.proxy.active()) proxy::block_proxy_signals();
    app::Pipeline pipeline(parsed.config);
    return pipeline.run();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "tcpflow: %s\ntry 'tcpflow -h' for more information\n", e.what());
    return e.exit_code();
  } catch (const Error& e) {
    std::fprintf(stderr, "tcpflow: %s\n", e.what());
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "tcpflow: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tcpflow: internal error: %s\n", e.what());
    return 1;
  }
}
