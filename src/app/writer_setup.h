// Whether flow files are written on writer threads (-j 2 and up), and how
// the descriptor budget is shared between them and the packet thread.
#pragma once
#include <memory>

#include "app/config.h"
#include "output/background_writer.h"
#include "output/fd_cache.h"

namespace tcpflow::app {

// Null when the packet thread writes the files itself. Otherwise lowers
// `fd_cache` (the packet thread's) to what the packet thread still needs
// and gives the writers the rest.
std::unique_ptr<output::BackgroundWriter> make_background_writer(const Config& config,
                                                                 output::FdCache& fd_cache);

}  // namespace tcpflow::app
