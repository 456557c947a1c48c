#include "output/flow_file_sink.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "output/file_io.h"

namespace tcpflow::output {

namespace {

constexpr size_t kShiftChunk = 1 << 20;

}  // namespace

FlowFileSink::FlowFileSink(FileWriter& writer, WriteBuffers& buffers, std::string path,
                           bool write_index, Stats& stats)
    : buffers_(buffers),
      file_(writer.open(std::move(path), *this)),
      stats_(stats),
      write_index_(write_index) {
  buffers_.sink_opened();
}

FlowFileSink::~FlowFileSink() {
  if (!closed_) close(Timestamp{});
}

void FlowFileSink::fail(const std::string& error) {
  stats_.add(Counter::kWriteErrors);
  if (failed_) return;
  failed_ = true;
  error_ = error;
  std::fprintf(stderr, "tcpflow: %s: %s; the rest of this flow is not written\n", path().c_str(),
               error_.c_str());
}

bool FlowFileSink::write_at(uint64_t offset, const uint8_t* data, size_t len) {
  if (failed_) return false;
  if (file_->write(offset, ByteView(data, len))) return true;
  fail(file_->error());
  return false;
}

bool FlowFileSink::flush_buffer() {
  if (buffer_used_ == 0) return true;
  size_t used = buffer_used_;
  buffer_used_ = 0;
  return write_at(buffer_offset_, buffer_.get(), used);
}

void FlowFileSink::write(uint64_t offset, ByteView data, Timestamp ts) {
  if (data.empty() || closed_) return;
  if (write_index_) index_.push_back(IndexEntry{offset, ts, data.size()});
  size_ = std::max<uint64_t>(size_, offset + data.size());
  if (failed_) return;
  bool appends = buffer_used_ > 0 && offset == buffer_offset_ + buffer_used_;
  if (appends && (buffer_used_ + data.size() <= buffer_capacity() ||
                  grow_tiny_buffer(buffer_used_ + data.size()))) {
    std::memcpy(buffer_.get() + buffer_used_, data.data(), data.size());
    buffer_used_ += data.size();
    return;
  }
  if (!flush_buffer()) return;
  if (appends) grow_buffer_after_fill();
  if (data.size() >= (buffer_ ? buffer_capacity() : WriteBuffers::kBufferSize)) {
    write_at(offset, data.data(), data.size());
    return;
  }
  if (!buffer_ && !take_first_buffer(data.size())) {
    write_at(offset, data.data(), data.size());
    return;
  }
  std::memcpy(buffer_.get(), data.data(), data.size());
  buffer_offset_ = offset;
  buffer_used_ = data.size();
}

// A tiny buffer when the bytes fit one (most directions never need more),
// else (or when none is free) a small one.
bool FlowFileSink::take_first_buffer(size_t first_write) {
  using Tier = WriteBuffers::Tier;
  buffer_tier_ = first_write <= WriteBuffers::kTinyBufferSize ? Tier::kTiny : Tier::kSmall;
  buffer_ = buffers_.reserve(buffer_tier_);
  if (!buffer_ && buffer_tier_ == Tier::kTiny) {
    buffer_tier_ = Tier::kSmall;
    buffer_ = buffers_.reserve(buffer_tier_);
  }
  if (!buffer_) return false;
  buffers_.holding(*this);
  return true;
}

// A full tiny buffer moves to a small one, bytes and all, instead of being
// written out: a direction of a few KB then still reaches its file in one
// write. False (the caller flushes) when none is free or `needed` would not
// fit either.
bool FlowFileSink::grow_tiny_buffer(size_t needed) {
  if (buffer_tier_ != WriteBuffers::Tier::kTiny || needed > WriteBuffers::kBufferSize) {
    return false;
  }
  WriteBuffers::Buffer small = buffers_.reserve(WriteBuffers::Tier::kSmall);
  if (!small) return false;
  std::memcpy(small.get(), buffer_.get(), buffer_used_);
  buffers_.release(std::move(buffer_), WriteBuffers::Tier::kTiny);
  buffer_ = std::move(small);
  buffer_tier_ = WriteBuffers::Tier::kSmall;
  return true;
}

bool FlowFileSink::read_back(uint64_t offset, uint8_t* out, size_t len) {
  if (failed_ || closed_ || offset + len > size_) return false;
  // The bytes compared are often the latest ones, still in the buffer, or
  // a retransmission reaching back from the buffer into what was written
  // before it: that front part is read from the file without flushing the
  // buffer, so the read need not wait for the writer to catch up.
  const uint64_t buffer_end = buffer_offset_ + buffer_used_;
  if (buffer_used_ > 0 && offset + len > buffer_offset_ && offset + len <= buffer_end) {
    const size_t before = offset < buffer_offset_ ? static_cast<size_t>(buffer_offset_ - offset) : 0;
    if (before > 0 && !file_->read(offset, out, before)) return false;
    std::memcpy(out + before, buffer_.get() + (offset + before - buffer_offset_), len - before);
    return true;
  }
  return flush_buffer() && file_->read(offset, out, len);
}

bool FlowFileSink::shift(uint64_t delta) {
  if (closed_ || failed_) return false;
  if (delta == 0 || size_ == 0) {
    size_ += size_ ? delta : 0;
    return true;
  }
  if (!flush_buffer()) return false;
  std::vector<uint8_t> chunk(static_cast<size_t>(std::min<uint64_t>(kShiftChunk, size_)));
  // Move from the end backwards so nothing is overwritten before it is read.
  uint64_t end = size_;
  while (end > 0) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(chunk.size(), end));
    uint64_t start = end - len;
    if (!read_back(start, chunk.data(), len) || !write_at(start + delta, chunk.data(), len)) {
      return false;
    }
    end = start;
  }
  // The vacated front becomes a hole until the lower segment lands there.
  std::fill(chunk.begin(), chunk.end(), 0);
  for (uint64_t pos = 0; pos < std::min(delta, size_);) {
    size_t len = static_cast<size_t>(std::min<uint64_t>(chunk.size(), std::min(delta, size_) - pos));
    if (!write_at(pos, chunk.data(), len)) return false;
    pos += len;
  }
  size_ += delta;
  for (IndexEntry& entry : index_) entry.offset += delta;
  return true;
}

void FlowFileSink::quiesce(Timestamp) {
  // The buffer goes back to the pool, but the descriptor stays with the
  // file writer, which takes it back when others need it: closing it here
  // would make close() set the mtime by path (a second lookup per file)
  // instead of with futimens on the open descriptor.
  flush_buffer();
  drop_buffer();
}

void FlowFileSink::drop_buffer() {
  if (!buffer_) return;
  buffers_.not_holding(*this);
  buffers_.release(std::move(buffer_), buffer_tier_);
}

// Called with the buffer just flushed (empty). After a few fills of a small
// buffer the flow is a long one: its next bytes go to a large buffer when
// one is free.
void FlowFileSink::grow_buffer_after_fill() {
  constexpr uint32_t kFillsBeforeLarge = 4;
  if (buffer_tier_ != WriteBuffers::Tier::kSmall || ++buffer_fills_ < kFillsBeforeLarge) return;
  WriteBuffers::Buffer large = buffers_.reserve(WriteBuffers::Tier::kLarge);
  if (!large) return;
  drop_buffer();
  buffer_ = std::move(large);
  buffer_tier_ = WriteBuffers::Tier::kLarge;
  buffers_.holding(*this);
}

void FlowFileSink::give_back_buffer() {
  flush_buffer();
  drop_buffer();
}

void FlowFileSink::before_descriptor_closed() {
  flush_buffer();
  drop_buffer();
}

void FlowFileSink::write_index() {
  std::stable_sort(index_.begin(), index_.end(),
                   [](const IndexEntry& a, const IndexEntry& b) { return a.offset < b.offset; });
  std::string index_path = path() + ".findx";
  std::FILE* file = std::fopen(index_path.c_str(), "we");
  if (!file) {
    fail(describe_error("cannot create index", errno));
    return;
  }
  for (const IndexEntry& e : index_) {
    std::fprintf(file, "%" PRIu64 "|%" PRId64 ".%06u|%" PRIu64 "\n", e.offset, e.ts.sec,
                 e.ts.nsec / 1000, e.length);
  }
  if (std::fclose(file) != 0) fail(describe_error("cannot write index", errno));
  index_.clear();
  index_.shrink_to_fit();
}

reassembly::StreamEnd FlowFileSink::close(Timestamp last_ts) {
  reassembly::StreamEnd end;
  if (closed_) return end;
  flush_buffer();
  bool ok = true;
  end.pending_job = file_->close(last_ts, ok);
  if (!ok) fail(file_->error());
  drop_buffer();
  closed_ = true;
  buffers_.sink_closed();
  if (write_index_) write_index();
  end.size = size_;
  end.path = path();
  end.failed = failed_;
  end.error = error_;
  return end;
}

}  // namespace tcpflow::output
