// Reading back bytes a BackgroundWriter was given: a retransmission is
// compared with what was written, which may still sit in a batch being
// filled, in flight, or in one of the done batches kept for this.
#include <algorithm>
#include <cstring>

#include "output/background_writer.h"

namespace tcpflow::output {

const BackgroundWriter::Job* BackgroundWriter::find_job(const Job* jobs, size_t count,
                                                        uint64_t ticket) {
  const Job* end = jobs + count;
  const Job* it = std::lower_bound(jobs, end, ticket,
                                   [](const Job& job, uint64_t t) { return job.ticket < t; });
  return it != end && it->ticket == ticket ? it : nullptr;
}

bool BackgroundWriter::copy_from(const InFlight& batch, uint64_t file, uint64_t ticket,
                                 uint64_t offset, uint8_t* out, size_t len) const {
  if (ticket < batch.first || ticket > batch.last) return false;
  const Job* job = find_job(batch.jobs, batch.count, ticket);
  if (job == nullptr || job->kind != Kind::kWrite || job->file != file || offset < job->offset ||
      offset + len > job->offset + job->size) {
    return false;
  }
  std::memcpy(out, batch.bytes + job->at + (offset - job->offset), len);
  return true;
}

bool BackgroundWriter::read_written(uint64_t file, uint64_t ticket, uint64_t offset,
                                    uint8_t* out, size_t len) {
  return read_written_in(shard_of(file, false), file, ticket, offset, out, len);
}

bool BackgroundWriter::read_written_in(Shard& shard, uint64_t file, uint64_t ticket,
                                       uint64_t offset, uint8_t* out, size_t len) {
  if (!shard.batch.jobs.empty()) {
    const InFlight filling{shard.batch.jobs.front().ticket, shard.batch.jobs.back().ticket,
                           shard.batch.jobs.data(), shard.batch.jobs.size(),
                           shard.batch.bytes.data()};
    if (copy_from(filling, file, ticket, offset, out, len)) return true;
  }
  for (const InFlight& batch : shard.in_flight) {
    if (copy_from(batch, file, ticket, offset, out, len)) return true;
  }
  for (const InFlight& batch : kept_done_) {
    if (copy_from(batch, file, ticket, offset, out, len)) return true;
  }
  return false;
}

}  // namespace tcpflow::output
