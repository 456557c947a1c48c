#include "capture/read_ahead.h"

#include <algorithm>
#include <cstring>

namespace tcpflow::capture {

namespace {

// Four 1 MiB chunks: enough to keep the parser fed while the reader waits on
// the disk or inflates, little enough not to matter next to the flow table.
constexpr size_t kChunkSize = size_t{1} << 20;
constexpr size_t kChunks = 4;

}  // namespace

ReadAhead::ReadAhead(gzFile gz) : gz_(gz), empty_(kChunks), full_(kChunks) {
  for (size_t i = 0; i < kChunks; ++i) {
    Chunk chunk;
    chunk.data.reset(new uint8_t[kChunkSize]);
    empty_.push(std::move(chunk));
  }
  thread_ = std::thread([this] { run(); });
}

ReadAhead::~ReadAhead() {
  // Closing both queues wakes the reader wherever it waits; a regular file's
  // gzread always returns, so the join cannot hang.
  empty_.close();
  full_.close();
  thread_.join();
}

void ReadAhead::fill(Chunk& chunk) {
  chunk.size = chunk.used = 0;
  while (chunk.size < kChunkSize) {
    int got = gzread(gz_, chunk.data.get() + chunk.size,
                     static_cast<unsigned>(kChunkSize - chunk.size));
    if (got <= 0) {
      chunk.status = got < 0 ? -1 : 0;
      const char* text = gzerror(gz_, &chunk.z_code);
      chunk.z_text = text ? text : "";
      break;
    }
    chunk.size += static_cast<size_t>(got);
  }
  chunk.direct = gzdirect(gz_) != 0;
}

void ReadAhead::run() {
  while (auto chunk = empty_.pop()) {
    fill(*chunk);
    bool last = chunk->status != 1;
    if (!full_.push(std::move(*chunk)) || last) return;
  }
}

int ReadAhead::read(uint8_t* out, size_t len) {
  while (!has_current_ || current_.used == current_.size) {
    if (has_current_) {
      if (current_.status != 1) return current_.status;
      empty_.push(std::move(current_));
      has_current_ = false;
    }
    auto next = full_.pop();
    if (!next) return -1;  // closed: only while being destroyed
    current_ = std::move(*next);
    has_current_ = true;
    direct_ = current_.direct;
  }
  size_t n = std::min({len, current_.size - current_.used, kChunkSize});
  std::memcpy(out, current_.data.get() + current_.used, n);
  current_.used += n;
  return static_cast<int>(n);
}

}  // namespace tcpflow::capture
