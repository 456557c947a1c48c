#include "util/stream_decoder.h"

#include <bzlib.h>
#include <fcntl.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <thread>

#include "util/error.h"

namespace tcpflow {
namespace {

constexpr size_t kInputBuffer = size_t{128} << 10;
// The libraries count in unsigned int (bzip2); stay inside it.
constexpr size_t kMaxStep = size_t{1} << 30;

class ZstdDecoder final : public StreamDecoder {
 public:
  explicit ZstdDecoder(int fd) : StreamDecoder(fd), ctx_(ZSTD_createDCtx()) {
    if (!ctx_) throw Error("zstd: cannot set up the decoder (out of memory)");
  }
  ~ZstdDecoder() override { ZSTD_freeDCtx(ctx_); }

 private:
  bool decode(const uint8_t*& in, size_t& in_len, uint8_t*& out, size_t& out_len,
              bool) override {
    ZSTD_inBuffer src{in, in_len, 0};
    ZSTD_outBuffer dst{out, out_len, 0};
    size_t ret = ZSTD_decompressStream(ctx_, &dst, &src);
    if (ZSTD_isError(ret)) return fail(std::string("zstd: ") + ZSTD_getErrorName(ret));
    in += src.pos;
    in_len -= src.pos;
    out += dst.pos;
    out_len -= dst.pos;
    // 0: a frame ended and everything of it was flushed.
    if (src.pos > 0 || dst.pos > 0) frame_done_ = ret == 0;
    return true;
  }
  bool at_boundary() const override { return frame_done_; }

  ZSTD_DCtx* ctx_;
  bool frame_done_ = true;  // no input at all is an empty file, not a cut one
};

class Bzip2Decoder final : public StreamDecoder {
 public:
  explicit Bzip2Decoder(int fd) : StreamDecoder(fd) { start(); }
  ~Bzip2Decoder() override {
    if (open_) BZ2_bzDecompressEnd(&bz_);
  }

 private:
  void start() {
    std::memset(&bz_, 0, sizeof bz_);
    if (BZ2_bzDecompressInit(&bz_, 0, 0) != BZ_OK) {
      throw Error("bzip2: cannot set up the decoder (out of memory)");
    }
    open_ = true;
  }
  bool decode(const uint8_t*& in, size_t& in_len, uint8_t*& out, size_t& out_len,
              bool) override {
    // With no input left bzip2 may still hold decoded bytes of its last
    // block: it is called anyway, unless its stream has ended.
    if (stream_done_ && in_len == 0) return true;
    if (stream_done_) {  // another stream follows the one that ended
      BZ2_bzDecompressEnd(&bz_);
      open_ = false;
      start();
      stream_done_ = false;
    }
    bz_.next_in = reinterpret_cast<char*>(const_cast<uint8_t*>(in));
    bz_.avail_in = static_cast<unsigned>(std::min(in_len, kMaxStep));
    bz_.next_out = reinterpret_cast<char*>(out);
    bz_.avail_out = static_cast<unsigned>(std::min(out_len, kMaxStep));
    unsigned in_before = bz_.avail_in, out_before = bz_.avail_out;
    int ret = BZ2_bzDecompress(&bz_);
    size_t used = in_before - bz_.avail_in, made = out_before - bz_.avail_out;
    in += used;
    in_len -= used;
    out += made;
    out_len -= made;
    if (ret == BZ_STREAM_END) {
      stream_done_ = true;
      return true;
    }
    if (ret == BZ_OK) return true;
    if (ret == BZ_DATA_ERROR_MAGIC) return fail("bzip2: not a bzip2 stream (bad magic)");
    if (ret == BZ_MEM_ERROR) return fail("bzip2: out of memory");
    return fail("bzip2: data is corrupt");
  }
  bool at_boundary() const override { return stream_done_ || !seen_input(); }
  bool seen_input() const { return bz_.total_in_lo32 != 0 || bz_.total_in_hi32 != 0 || stream_done_; }

  bz_stream bz_{};
  bool open_ = false;
  bool stream_done_ = false;
};

// Members one after another (what `cat a.gz b.gz` writes) are read as one.
class GzipDecoder final : public StreamDecoder {
 public:
  explicit GzipDecoder(int fd) : StreamDecoder(fd) {
    // 16 + MAX_WBITS: a gzip wrapper.
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) {
      throw Error("gzip: cannot set up the decoder (out of memory)");
    }
  }
  ~GzipDecoder() override { inflateEnd(&z_); }

 private:
  bool decode(const uint8_t*& in, size_t& in_len, uint8_t*& out, size_t& out_len,
              bool) override {
    if (member_done_ && in_len > 0) {
      inflateReset(&z_);
      member_done_ = false;
    }
    z_.next_in = const_cast<Bytef*>(in);
    z_.avail_in = static_cast<uInt>(std::min(in_len, kMaxStep));
    z_.next_out = out;
    z_.avail_out = static_cast<uInt>(std::min(out_len, kMaxStep));
    const uInt had_in = z_.avail_in, had_out = z_.avail_out;
    int ret = inflate(&z_, Z_NO_FLUSH);
    size_t used = had_in - z_.avail_in, made = had_out - z_.avail_out;
    in += used;
    in_len -= used;
    out += made;
    out_len -= made;
    switch (ret) {
      case Z_OK: return true;
      case Z_STREAM_END: member_done_ = true; return true;
      case Z_BUF_ERROR: return true;  // no progress possible: input cut short
      case Z_MEM_ERROR: return fail("gzip: out of memory");
      default: return fail("gzip: data is corrupt");
    }
  }
  bool at_boundary() const override { return member_done_; }

  z_stream z_{};
  bool member_done_ = true;  // no input at all is an empty file, not a cut one
};

class XzDecoder final : public StreamDecoder {
 public:
  explicit XzDecoder(int fd) : StreamDecoder(fd) {
    if (lzma_stream_decoder(&lz_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
      throw Error("xz: cannot set up the decoder (out of memory)");
    }
  }
  ~XzDecoder() override { lzma_end(&lz_); }

 private:
  bool decode(const uint8_t*& in, size_t& in_len, uint8_t*& out, size_t& out_len,
              bool at_eof) override {
    if (done_) return true;
    lz_.next_in = in;
    lz_.avail_in = in_len;
    lz_.next_out = out;
    lz_.avail_out = out_len;
    lzma_ret ret = lzma_code(&lz_, at_eof ? LZMA_FINISH : LZMA_RUN);
    size_t used = in_len - lz_.avail_in, made = out_len - lz_.avail_out;
    in += used;
    in_len -= used;
    out += made;
    out_len -= made;
    switch (ret) {
      case LZMA_OK: return true;
      case LZMA_STREAM_END: done_ = true; return true;
      // No progress possible: at the end of input, a stream cut short.
      case LZMA_BUF_ERROR: return true;
      case LZMA_MEM_ERROR: return fail("xz: out of memory");
      case LZMA_FORMAT_ERROR: return fail("xz: not an xz stream");
      case LZMA_OPTIONS_ERROR: return fail("xz: unsupported compression options");
      default: return fail("xz: data is corrupt");
    }
  }
  bool at_boundary() const override { return done_ || lz_.total_in == 0; }

  lzma_stream lz_ = LZMA_STREAM_INIT;
  bool done_ = false;
};

bool starts_with(const uint8_t* bytes, size_t len, const uint8_t* magic, size_t n) {
  return len >= n && std::memcmp(bytes, magic, n) == 0;
}

}  // namespace

CompressionFormat format_from_magic(const uint8_t* bytes, size_t len) {
  static const uint8_t kZstd[] = {0x28, 0xb5, 0x2f, 0xfd};
  static const uint8_t kXz[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
  if (starts_with(bytes, len, kZstd, sizeof kZstd)) return CompressionFormat::kZstd;
  if (starts_with(bytes, len, kXz, sizeof kXz)) return CompressionFormat::kXz;
  // "BZh" and the block size digit.
  if (len >= 4 && bytes[0] == 'B' && bytes[1] == 'Z' && bytes[2] == 'h' && bytes[3] >= '1' &&
      bytes[3] <= '9') {
    return CompressionFormat::kBzip2;
  }
  return CompressionFormat::kNone;
}

const char* format_name(CompressionFormat format) {
  switch (format) {
    case CompressionFormat::kZstd: return "zstd";
    case CompressionFormat::kBzip2: return "bzip2";
    case CompressionFormat::kXz: return "xz";
    case CompressionFormat::kGzip: return "gzip";
    case CompressionFormat::kNone: break;
  }
  return "none";
}

StreamDecoder::StreamDecoder(int fd) : fd_(fd), in_(new uint8_t[kInputBuffer]) {}

bool StreamDecoder::refill() {
  for (;;) {
    ssize_t got = ::read(fd_, in_.get(), kInputBuffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(std::strerror(errno));
    in_pos_ = 0;
    in_end_ = static_cast<size_t>(got);
    eof_ = got == 0;
    return true;
  }
}

int StreamDecoder::read(uint8_t* out, size_t len) {
  if (!error_.empty()) return -1;
  len = std::min(len, static_cast<size_t>(INT_MAX));
  uint8_t* cursor = out;
  size_t room = len;
  while (room == len) {
    if (in_pos_ == in_end_ && !eof_ && !refill()) return -1;
    const uint8_t* in = in_.get() + in_pos_;
    size_t in_len = in_end_ - in_pos_;
    if (!decode(in, in_len, cursor, room, eof_)) return -1;
    size_t used = static_cast<size_t>(in - (in_.get() + in_pos_));
    in_pos_ += used;
    if (room < len) break;
    // At the end of input and nothing moved: done, cleanly or cut short.
    if (eof_ && used == 0) {
      truncated_ = !at_boundary() || in_pos_ != in_end_;
      return 0;
    }
  }
  return static_cast<int>(len - room);
}

std::unique_ptr<StreamDecoder> make_stream_decoder(CompressionFormat format, int fd) {
  switch (format) {
    case CompressionFormat::kZstd: return std::make_unique<ZstdDecoder>(fd);
    case CompressionFormat::kBzip2: return std::make_unique<Bzip2Decoder>(fd);
    case CompressionFormat::kXz: return std::make_unique<XzDecoder>(fd);
    case CompressionFormat::kGzip: return std::make_unique<GzipDecoder>(fd);
    case CompressionFormat::kNone: break;
  }
  return nullptr;
}

size_t peek_bytes(int fd, uint8_t* out, size_t len) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return 0;
  if (S_ISREG(st.st_mode)) {
    off_t at = ::lseek(fd, 0, SEEK_CUR);
    ssize_t got = ::pread(fd, out, len, at < 0 ? 0 : at);
    return got > 0 ? static_cast<size_t>(got) : 0;
  }
  if (!S_ISFIFO(st.st_mode)) return 0;
  // tee() copies what is queued in the pipe into a pipe of ours without
  // consuming it, so zlib's gz layer still sees every byte if it is not ours.
  int copy[2];
  if (::pipe2(copy, O_CLOEXEC) != 0) return 0;
  size_t got = 0;
  // A writer may deliver its first bytes in pieces; wait a little for
  // `len` of them (never forever: a silent writer or one that ends early
  // gets what was seen). Each copy is drained so the next starts afresh.
  for (int tries = 0; tries < 100; ++tries) {
    ssize_t seen = ::tee(fd, copy[1], len, 0);
    if (seen < 0 && errno == EINTR) continue;
    if (seen <= 0) break;
    ssize_t r = ::read(copy[0], out, static_cast<size_t>(seen));
    got = r > 0 ? static_cast<size_t>(r) : 0;
    if (got >= len || r != seen) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::close(copy[0]);
  ::close(copy[1]);
  return got;
}

}  // namespace tcpflow
