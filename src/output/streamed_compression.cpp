#include "output/streamed_compression.h"

#include <algorithm>

#include "output/file_io.h"
#include "util/stream_decoder.h"

namespace tcpflow::output {

namespace {

constexpr size_t kStageChunk = size_t{256} << 10;
constexpr size_t kFirstGathering = size_t{16} << 10;
constexpr size_t kSpareBytes = size_t{2} << 20;

CompressionFormat format_of(Codec codec) {
  switch (codec) {
    case Codec::kGzip: return CompressionFormat::kGzip;
    case Codec::kZstd: return CompressionFormat::kZstd;
    case Codec::kBzip2: return CompressionFormat::kBzip2;
    case Codec::kNone: break;
  }
  return CompressionFormat::kNone;
}

}  // namespace

StreamedCompression::StreamedCompression(const CompressionOptions& options, size_t budget,
                                         size_t gathering_budget)
    : options_(options),
      compressor_(make_compressor(options)),
      budget_(budget),
      gathering_budget_(gathering_budget) {}

// One stream of `data` at the end of the compressed file.
bool StreamedCompression::compress(StreamedFile& file, int fd, ByteView data,
                                   std::string& error) {
  compressor_->begin(fd, data.size(), file.compressed);
  if (!compressor_->feed(data, true)) {
    error = compressor_->error();
    return false;
  }
  file.compressed += compressor_->written();
  return true;
}

bool StreamedCompression::take(StreamedFile& file, int fd, ByteView data, std::string& error) {
  file.next += data.size();
  // A long write needs no gathering (and no copy).
  if (file.gathered.empty() && data.size() >= kStreamBytes) return compress(file, fd, data, error);
  // Two sizes of buffer, so a growing one is copied at most once: most
  // files are short.
  if (file.gathered.capacity() == 0 && !spares_.empty()) {
    file.gathered = std::move(spares_.back());
    spares_.pop_back();
    spare_bytes_ -= file.gathered.capacity();
    gathering_ += file.gathered.capacity();
  }
  const size_t capacity = file.gathered.capacity();
  const size_t needed = file.gathered.size() + data.size();
  if (needed > capacity) {
    file.gathered.reserve(needed <= kFirstGathering && capacity == 0 ? kFirstGathering
                                                                  : std::max(needed, kStreamBytes * 3 / 2));
  }
  file.gathered.insert(file.gathered.end(), data.begin(), data.end());
  gathering_ += file.gathered.capacity() - capacity;
  if (file.gathered.size() >= kStreamBytes || gathering_ > gathering_budget_) {
    return compress_gathered(file, fd, error);
  }
  return true;
}

bool StreamedCompression::compress_gathered(StreamedFile& file, int fd, std::string& error) {
  if (file.gathered.empty()) return true;
  bool ok = compress(file, fd, ByteView(file.gathered.data(), file.gathered.size()), error);
  release_gathered(file);
  return ok;
}

// A first-size buffer goes to the next file that gathers (a fresh one
// costs a page fault per 4 KiB), up to a few of them; a grown one, which
// few files need, back to the allocator.
void StreamedCompression::release_gathered(StreamedFile& file) {
  const size_t capacity = file.gathered.capacity();
  gathering_ -= capacity;
  if (capacity == kFirstGathering && spare_bytes_ + capacity <= kSpareBytes) {
    file.gathered.clear();
    spare_bytes_ += capacity;
    spares_.push_back(std::move(file.gathered));
  }
  file.gathered = std::vector<uint8_t>();
}

StreamedCompression::Outcome StreamedCompression::write(StreamedFile& file, int fd,
                                                        ByteView data, uint64_t offset,
                                                        std::string& error) {
  const uint64_t end = offset + data.size();
  // Where the bytes kept beyond holes begin: new bytes must not reach them
  // (a later write over earlier bytes wins in a plain file; staging keeps that).
  auto after = file.beyond_hole.lower_bound(offset);
  if (after != file.beyond_hole.end() && after->first < end) return Outcome::kStage;
  if (after != file.beyond_hole.begin()) {
    auto before = std::prev(after);
    if (before->first + before->second.size() > offset) return Outcome::kStage;
  }
  if (offset < file.next) return Outcome::kStage;
  if (offset > file.next) {
    if (kept_ + data.size() > budget_) return Outcome::kStage;
    file.beyond_hole.emplace(offset, std::vector<uint8_t>(data.begin(), data.end()));
    file.beyond_hole_bytes += data.size();
    kept_ += data.size();
    return Outcome::kWritten;
  }
  if (!take(file, fd, data, error) || !compress_kept(file, fd, false, error)) {
    return Outcome::kFailed;
  }
  return Outcome::kWritten;
}

// Takes the kept bytes that now follow on; with `fill_holes`, all of
// them, zeros first where a hole is left.
bool StreamedCompression::compress_kept(StreamedFile& file, int fd, bool fill_holes,
                                        std::string& error) {
  static const uint8_t kZeros[64 << 10] = {};
  while (!file.beyond_hole.empty()) {
    auto first = file.beyond_hole.begin();
    if (first->first > file.next) {
      if (!fill_holes) return true;
      uint64_t hole = first->first - file.next;
      size_t len = static_cast<size_t>(std::min<uint64_t>(hole, sizeof kZeros));
      if (!take(file, fd, ByteView(kZeros, len), error)) return false;
      continue;
    }
    std::vector<uint8_t> bytes = std::move(first->second);
    file.beyond_hole.erase(first);
    file.beyond_hole_bytes -= bytes.size();
    kept_ -= bytes.size();
    if (!take(file, fd, ByteView(bytes.data(), bytes.size()), error)) return false;
  }
  return true;
}

bool StreamedCompression::finish(StreamedFile& file, int fd, std::string& error) {
  if (!compress_kept(file, fd, true, error) || !compress_gathered(file, fd, error)) return false;
  if (file.compressed == 0 && !compress(file, fd, ByteView(), error)) return false;
  return true;
}

bool StreamedCompression::stage(StreamedFile& file, int compressed_fd, int plain_fd,
                                std::string& error) {
  std::unique_ptr<StreamDecoder> decoder =
      make_stream_decoder(format_of(options_.codec), compressed_fd);
  std::vector<uint8_t> chunk(kStageChunk);
  uint64_t at = 0;
  for (;;) {
    int got = decoder->read(chunk.data(), chunk.size());
    if (got < 0) {
      error = "cannot read back the compressed file: " + decoder->error();
      return false;
    }
    if (got == 0) break;
    if (int err = write_fully(plain_fd, chunk.data(), static_cast<size_t>(got), at)) {
      error = describe_error("write failed", err);
      return false;
    }
    at += static_cast<uint64_t>(got);
  }
  if (at != file.next - file.gathered.size() || decoder->truncated()) {
    error = "cannot read back the compressed file: it is cut short";
    return false;
  }
  if (int err = write_fully(plain_fd, file.gathered.data(), file.gathered.size(), at)) {
    error = describe_error("write failed", err);
    return false;
  }
  for (const auto& [offset, bytes] : file.beyond_hole) {
    if (int err = write_fully(plain_fd, bytes.data(), bytes.size(), offset)) {
      error = describe_error("write failed", err);
      return false;
    }
  }
  forget(file);
  return true;
}

void StreamedCompression::forget(StreamedFile& file) {
  kept_ -= file.beyond_hole_bytes;
  release_gathered(file);
  file = StreamedFile{};
}

}  // namespace tcpflow::output
