// The creation side of BackgroundWriter: a writer creating its batch's
// files ahead of the batch's other jobs, and the creator threads
// (Limits::creator_threads) that create files for a writer.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "output/background_writer.h"
#include "output/file_io.h"
#include "util/hash.h"

namespace tcpflow::output {

void BackgroundWriter::create_file(Shard& shard, const Job& job, const char* path) {
  OpenFile& file = shard.files[job.file];
  file.path = path;
  if (shard.streamer) {
    file.streamed = std::make_unique<OpenFile::Streamed>();
    file.streamed->on_disk = file.path + shard.streamer->suffix();
  }
  shard.hold.hold_parent_of(file.path);
  file.fd = shard.cache.open(file, file.on_disk(), kCreateFlags, 0644);
  if (file.fd < 0) {
    file.error = describe_error("cannot create", errno);
    return;
  }
  file_created(file);
}

void BackgroundWriter::adopt_created(Shard& shard, const Job& job, const char* path, int fd) {
  OpenFile& file = shard.files[job.file];
  file.path = path;
  file.fd = fd;
  shard.cache.adopt(file);
  file_created(file);
}

void BackgroundWriter::file_created(OpenFile& file) {
  file.created = true;
  if (limits_.digest_md5) file.md5 = std::make_unique<Md5Stream>();
  // A plain file of an earlier run into this directory goes, as it would
  // once a staged file is compressed.
  if (file.streamed && limits_.remove_earlier_plain) ::unlink(file.path.c_str());
}

// Creates the batch's new files before its other jobs, holding each
// directory's lock once for all of them: creations in one directory are
// serial in the kernel anyway, and this way the other writer creates its
// files while this one writes, stamps and closes (holding the lock through
// the whole batch made two writers barely faster than one on W2). A
// creation moves ahead only when no earlier job of the batch concerns the
// same path (a file created again must follow the jobs of its earlier life).
namespace {

// Adds `path`'s hash to the open-addressed `table`; false when it was
// there. Two paths that share a hash count as one, which only keeps a
// creation from moving ahead: it then runs in its turn.
bool first_touch(std::vector<uint64_t>& table, std::string_view path) {
  uint64_t hash = hash_text(path);
  if (hash == 0) hash = 1;
  const size_t mask = table.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    if (table[i] == hash) return false;
    if (table[i] == 0) {
      table[i] = hash;
      return true;
    }
  }
}

}  // namespace

void BackgroundWriter::create_ahead(Shard& shard, const Batch& batch) {
  const bool creates = std::any_of(batch.jobs.begin(), batch.jobs.end(),
                                   [](const Job& job) { return job.kind == Kind::kCreate; });
  if (!creates) return;
  // At most half full: a power of two at least twice the jobs.
  size_t slots = 64;
  while (slots < 2 * batch.jobs.size()) slots *= 2;
  shard.touched.assign(slots, 0);
  for (const Job& job : batch.jobs) {
    if (job.kind == Kind::kCreate) {
      const char* path = reinterpret_cast<const char*>(batch.bytes.data() + job.at);
      if (first_touch(shard.touched, std::string_view(path, job.size))) {
        create_file(shard, job, path);
      }
    } else if (auto it = shard.files.find(job.file); it != shard.files.end()) {
      first_touch(shard.touched, it->second.path);
    }
  }
  shard.hold.release();
}

// The creator's side of creator_threads: creates the batch's new files in
// order, unless an earlier life of the same path is not finished by the
// writer yet (it would truncate that file): the writer creates those.
// A creation that fails is left to the writer too, which evicts descriptors
// for EMFILE and keeps any other failure under the file's close.
void BackgroundWriter::create_for_writer(Shard& shard, Batch& batch) {
  for (const Job& job : batch.jobs) {
    if (job.kind == Kind::kCreate) {
      const char* path = reinterpret_cast<const char*>(batch.bytes.data() + job.at);
      const uint64_t path_hash = hash_text(std::string_view(path, job.size));
      shard.creator_paths[job.file] = path_hash;
      const bool busy = path_busy(shard, path_hash);
      shard.path_lives[path_hash] = Shard::PathLife{job.ticket, true};
      if (busy) continue;
      const int fd = ::open(path, kCreateFlags, 0644);
      if (fd < 0) continue;
      batch.created.emplace_back(job.ticket, fd);
      shard.created_ahead.fetch_add(1, std::memory_order_relaxed);
    } else if (job.kind == Kind::kClose) {
      auto it = shard.creator_paths.find(job.file);
      if (it == shard.creator_paths.end()) continue;
      shard.path_lives[it->second] = Shard::PathLife{job.ticket, false};
      shard.closes.emplace_back(job.ticket, it->second);
      shard.creator_paths.erase(it);
    }
  }
}

bool BackgroundWriter::path_busy(Shard& shard, uint64_t path_hash) {
  const uint64_t done = shard.done.load(std::memory_order_acquire);
  while (!shard.closes.empty() && shard.closes.front().first <= done) {
    auto [ticket, closed] = shard.closes.front();
    shard.closes.pop_front();
    auto life = shard.path_lives.find(closed);
    if (life != shard.path_lives.end() && !life->second.open && life->second.ticket == ticket) {
      shard.path_lives.erase(life);
    }
  }
  return shard.path_lives.count(path_hash) != 0;
}

void BackgroundWriter::run_creator(Shard& shard) {
  while (std::optional<Batch> batch = shard.ahead->pop()) {
    create_for_writer(shard, *batch);
    shard.queue.push(std::move(*batch));
  }
}

}  // namespace tcpflow::output
