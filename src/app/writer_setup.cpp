#include "app/writer_setup.h"

#include <algorithm>

#include "app/paths.h"
#include "output/background_file_writer.h"
#include "output/direct_file_writer.h"

namespace tcpflow::app {

namespace {

// With a background writer, this thread keeps a few descriptors, to read
// back the bytes of an overlap (half the budget when it also writes a pcap
// per connection); the writer has the rest.
constexpr size_t kReadBackDescriptors = 16;

// Each writer holds batches in flight; more only wait on the disk.
constexpr int kMaxWriters = 8;

}  // namespace

std::unique_ptr<output::FileWriter> make_file_writer(const Config& config,
                                                     output::FdCache& fd_cache,
                                                     bool plain_files_read, bool digest_md5,
                                                     const std::string& outdir) {
  // Live too: a capture that writes on the packet thread stops reading the
  // kernel's buffer while a disk is slow, and drops. Its batches are handed
  // over every few milliseconds (Pipeline), so files still appear as their
  // bytes come, and are complete once their connection closes.
  if (config.threads <= 1 || !config.store_flows || config.console != ConsoleMode::kNone) {
    return std::make_unique<output::DirectFileWriter>(fd_cache);
  }
  const size_t budget = fd_cache.capacity();
  const size_t kept = budget > 2 * kReadBackDescriptors && !config.split_pcap
                          ? kReadBackDescriptors
                          : (budget + 1) / 2;
  fd_cache.set_capacity(kept);
  output::BackgroundWriter::Limits limits;
  limits.max_open = budget > kept ? budget - kept : 1;
  // -j N: N writers. Two on a two-core machine, although the packet thread
  // makes three: on ext4 a file creation is mostly waiting on the file
  // system, and two writers made W1 30% and W2 20% faster there (tmpfs: the
  // same within noise).
  limits.writers = static_cast<size_t>(std::clamp(config.threads, 1, kMaxWriters));
  limits.compression = config.compression;
  limits.compress_while_writing = !plain_files_read;  // with a codec (BackgroundWriter checks)
  limits.remove_earlier_plain = !directory_is_empty(outdir);
  limits.digest_md5 = digest_md5;
  return std::make_unique<output::BackgroundFileWriter>(limits, fd_cache);
}

}  // namespace tcpflow::app
