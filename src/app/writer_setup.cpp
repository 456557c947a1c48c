#include "app/writer_setup.h"

#include <linux/magic.h>
#include <sys/vfs.h>

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

// Whether creating a file costs the file system real work: on a disk file
// system (ext4, xfs, btrfs, ...) a creation takes the directory's lock and
// allocates an inode, and a creating thread beside each writer pays (W2 on
// ext4: 24% less time, 5% less CPU); in memory (tmpfs, ramfs) it is cheap
// and the extra thread only adds hand-overs (C30000: 3-9% more CPU).
bool creations_cost(const std::string& outdir) {
  struct statfs fs {};
  if (::statfs(outdir.c_str(), &fs) != 0) return true;
  return fs.f_type != TMPFS_MAGIC && fs.f_type != RAMFS_MAGIC;
}

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
  // From two threads up, in pairs where creations cost: one creating, one
  // writing (see BackgroundWriter::Limits::creator_threads).
  if (limits.writers >= 2 && creations_cost(outdir)) {
    limits.creator_threads = true;
    limits.writers /= 2;
  }
  limits.compression = config.compression;
  limits.compress_while_writing = !plain_files_read;  // with a codec (BackgroundWriter checks)
  limits.remove_earlier_plain = !directory_is_empty(outdir);
  limits.digest_md5 = digest_md5;
  return std::make_unique<output::BackgroundFileWriter>(limits, fd_cache);
}

}  // namespace tcpflow::app
