// Which file writer a run uses: writer threads (-j 2 and up) or the packet
// thread itself, and how the descriptor budget is shared between them.
#pragma once
#include <memory>

#include "app/config.h"
#include "output/fd_cache.h"
#include "output/file_writer.h"

namespace tcpflow::app {

// A DirectFileWriter on `fd_cache` (the packet thread's), or a
// BackgroundFileWriter: then `fd_cache` is lowered to what the packet
// thread still needs (reading back, -K pcaps) and the writers get the rest.
// `plain_files_read`: something reads the flow files once they close
// (scanners), so --compress compresses each one then rather than while
// writing it.
// `digest_md5`: the md5 scanner runs; writer threads hash each file as they
// write it, so it is not read back for that.
// `outdir`: where the flow files go (it exists by now).
std::unique_ptr<output::FileWriter> make_file_writer(const Config& config,
                                                     output::FdCache& fd_cache,
                                                     bool plain_files_read, bool digest_md5,
                                                     const std::string& outdir);

}  // namespace tcpflow::app
