#include "output/file_compressor.h"

#include <bzlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "output/file_io.h"
#include "util/byte_entropy.h"
#include "util/error.h"

namespace tcpflow::output {
namespace {

constexpr size_t kChunk = size_t{256} << 10;

class GzipCompressor final : public Compressor {
 public:
  explicit GzipCompressor(int level)
      : level_(level == 0 ? Z_DEFAULT_COMPRESSION : level), out_(kChunk) {
    // 16 + MAX_WBITS: a gzip wrapper, so `gzip -d` and zcat read it.
    if (deflateInit2(&z_, level_, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error("gzip: cannot set up the compressor (out of memory)");
    }
  }
  ~GzipCompressor() override { deflateEnd(&z_); }

  void restart(uint64_t size) override {
    (void)size;
    deflateReset(&z_);
    stream_started_ = false;
  }

  bool feed(ByteView data, bool finish) override {
    if (!stream_started_ && !data.empty()) {
      // As for zstd below: near-random bytes are stored (level 0), which
      // deflate would end up doing anyway, after trying at 30 MB/s.
      deflateParams(&z_, looks_incompressible(data) ? 0 : level_, Z_DEFAULT_STRATEGY);
      stream_started_ = true;
    }
    z_.next_in = const_cast<Bytef*>(data.data());
    z_.avail_in = static_cast<uInt>(data.size());
    int flush = finish ? Z_FINISH : Z_NO_FLUSH;
    for (;;) {
      z_.next_out = out_.data();
      z_.avail_out = static_cast<uInt>(out_.size());
      int ret = deflate(&z_, flush);
      if (ret == Z_STREAM_ERROR) return fail("gzip: compression failed");
      if (!emit(out_.data(), out_.size() - z_.avail_out)) return false;
      if (ret == Z_STREAM_END) return true;
      if (z_.avail_out != 0 && z_.avail_in == 0 && !finish) return true;
    }
  }

 private:
  z_stream z_{};
  int level_;
  std::vector<uint8_t> out_;
  bool stream_started_ = false;
};

class ZstdCompressor final : public Compressor {
  static constexpr size_t kOneShotMax = size_t{1} << 20;

 public:
  explicit ZstdCompressor(int level)
      : ctx_(ZSTD_createCCtx()),
        level_(level == 0 ? ZSTD_CLEVEL_DEFAULT : level),
        out_(ZSTD_CStreamOutSize()) {
    if (!ctx_) throw Error("zstd: cannot set up the compressor (out of memory)");
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, level_);
    ZSTD_CCtx_setParameter(ctx_, ZSTD_c_checksumFlag, 1);
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(ctx_); }

  // The size known up front lets zstd size its tables to the file (most
  // flow files are small) and records it in the frame.
  void restart(uint64_t size) override {
    ZSTD_CCtx_reset(ctx_, ZSTD_reset_session_only);
    ZSTD_CCtx_setPledgedSrcSize(ctx_, size);
    stream_started_ = false;
  }

  bool feed(ByteView data, bool finish) override {
    if (!stream_started_) {
      stream_started_ = true;
      // Encrypted or already-compressed payload (most of today's traffic)
      // cannot shrink, and zstd's default level spends 3-5 times longer
      // finding that out than its fastest level takes to store it.
      const bool incompressible = looks_incompressible(data);
      // A whole stream at once (as streamed compression gives it) needs no
      // copy into zstd's input buffer, and near-random bytes no zstd at all.
      if (finish && data.size() <= kOneShotMax) {
        if (incompressible) return store(data);
        ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel, level_);
        const size_t bound = ZSTD_compressBound(data.size());
        if (out_.size() < bound) out_.resize(bound);
        size_t size = ZSTD_compress2(ctx_, out_.data(), out_.size(), data.data(), data.size());
        if (ZSTD_isError(size)) return fail(std::string("zstd: ") + ZSTD_getErrorName(size));
        return emit(out_.data(), size);
      }
      // Parameters may change only before a stream's first input.
      ZSTD_CCtx_setParameter(ctx_, ZSTD_c_compressionLevel,
                             incompressible ? ZSTD_minCLevel() : level_);
    }
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    ZSTD_EndDirective mode = finish ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      size_t left = ZSTD_compressStream2(ctx_, &out, &in, mode);
      if (ZSTD_isError(left)) return fail(std::string("zstd: ") + ZSTD_getErrorName(left));
      if (!emit(out_.data(), out.pos)) return false;
      if (finish ? left == 0 : in.pos == in.size) return true;
    }
  }

 private:
  // `data` as a zstd frame of raw (stored) blocks, written straight from
  // `data` (RFC 8878: a frame header with the content size and a 128 KiB
  // window, then blocks of at most 128 KiB, each behind a 3-byte header).
  // Such a frame carries no content checksum: zstd's checksum guards its
  // decoder's work, and a stored block has none, like a plain file's bytes.
  bool store(ByteView data) {
    constexpr size_t kBlock = size_t{128} << 10;
    uint8_t header[14] = {0x28, 0xB5, 0x2F, 0xFD,  // magic number
                          0xC0,   // 8-byte content size, no single segment, no checksum
                          0x38};  // window 2^(10 + 7) = 128 KiB
    uint64_t size = data.size();
    for (int i = 0; i < 8; ++i) header[6 + i] = static_cast<uint8_t>(size >> (8 * i));
    constexpr size_t kMaxBlocks = kOneShotMax / kBlock + 1;
    uint8_t block_headers[kMaxBlocks][3];
    iovec pieces[1 + 2 * kMaxBlocks];
    int count = 0;
    pieces[count++] = iovec{header, sizeof header};
    size_t at = 0, block = 0;
    do {
      const size_t len = std::min(kBlock, data.size() - at);
      const bool last = at + len == data.size();
      const uint32_t word = static_cast<uint32_t>(len << 3) | (last ? 1u : 0u);  // type 0: raw
      for (int i = 0; i < 3; ++i) block_headers[block][i] = static_cast<uint8_t>(word >> (8 * i));
      pieces[count++] = iovec{block_headers[block], 3};
      pieces[count++] = iovec{const_cast<uint8_t*>(data.data() + at), len};
      at += len;
      ++block;
    } while (at < data.size());
    return emit(pieces, count);
  }

  ZSTD_CCtx* ctx_;
  int level_;
  std::vector<uint8_t> out_;
  bool stream_started_ = false;
};

class Bzip2Compressor final : public Compressor {
 public:
  explicit Bzip2Compressor(int level) : level_(level == 0 ? 9 : level), out_(kChunk) { init(); }
  ~Bzip2Compressor() override { BZ2_bzCompressEnd(&bz_); }

  // libbz2 has no reset: a new stream on the same buffers.
  void restart(uint64_t size) override {
    (void)size;
    BZ2_bzCompressEnd(&bz_);
    bz_ = bz_stream{};
    init();
  }

  bool feed(ByteView data, bool finish) override {
    bz_.next_in = const_cast<char*>(reinterpret_cast<const char*>(data.data()));
    bz_.avail_in = static_cast<unsigned>(data.size());
    for (;;) {
      bz_.next_out = reinterpret_cast<char*>(out_.data());
      bz_.avail_out = static_cast<unsigned>(out_.size());
      int ret = BZ2_bzCompress(&bz_, finish ? BZ_FINISH : BZ_RUN);
      if (ret < 0) return fail("bzip2: compression failed");
      if (!emit(out_.data(), out_.size() - bz_.avail_out)) return false;
      if (ret == BZ_STREAM_END) return true;
      if (!finish && bz_.avail_in == 0) return true;
    }
  }

 private:
  void init() {
    if (BZ2_bzCompressInit(&bz_, level_, 0, 0) != BZ_OK) {
      throw Error("bzip2: cannot set up the compressor (out of memory)");
    }
  }

  int level_;
  bz_stream bz_{};
  std::vector<uint8_t> out_;
};

// Closes a descriptor when it leaves scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::optional<Codec> parse_codec(const std::string& name) {
  if (name == "gzip") return Codec::kGzip;
  if (name == "zstd") return Codec::kZstd;
  if (name == "bzip2") return Codec::kBzip2;
  return std::nullopt;
}

const char* codec_name(Codec codec) {
  switch (codec) {
    case Codec::kGzip: return "gzip";
    case Codec::kZstd: return "zstd";
    case Codec::kBzip2: return "bzip2";
    case Codec::kNone: break;
  }
  return "none";
}

const char* codec_suffix(Codec codec) {
  switch (codec) {
    case Codec::kGzip: return ".gz";
    case Codec::kZstd: return ".zst";
    case Codec::kBzip2: return ".bz2";
    case Codec::kNone: break;
  }
  return "";
}

int codec_min_level(Codec codec) { return codec == Codec::kZstd ? ZSTD_minCLevel() : 1; }
int codec_max_level(Codec codec) { return codec == Codec::kZstd ? ZSTD_maxCLevel() : 9; }

bool Compressor::emit(const uint8_t* data, size_t len) {
  if (len == 0) return true;
  if (int err = write_fully(fd_, data, len, at_ + written_)) {
    return fail(describe_error("write failed", err));
  }
  written_ += len;
  return true;
}

bool Compressor::emit(iovec* pieces, int count) {
  size_t len = 0;
  for (int i = 0; i < count; ++i) len += pieces[i].iov_len;
  if (int err = write_fully(fd_, pieces, count, at_ + written_)) {
    return fail(describe_error("write failed", err));
  }
  written_ += len;
  return true;
}

void Compressor::begin(int fd, uint64_t size, uint64_t at) {
  fd_ = fd;
  at_ = at;
  written_ = 0;
  error_.clear();
  restart(size);
}

std::unique_ptr<Compressor> make_compressor(const CompressionOptions& options) {
  switch (options.codec) {
    case Codec::kGzip: return std::make_unique<GzipCompressor>(options.level);
    case Codec::kZstd: return std::make_unique<ZstdCompressor>(options.level);
    case Codec::kBzip2: return std::make_unique<Bzip2Compressor>(options.level);
    case Codec::kNone: break;
  }
  return nullptr;
}

FileCompressor::FileCompressor(const CompressionOptions& options, DirectoryHold* hold)
    : options_(options), hold_(hold), compressor_(make_compressor(options)), chunk_(kChunk) {}

FileCompressor::~FileCompressor() = default;

CompressedFile compress_file(const std::string& plain, const CompressionOptions& options) {
  return FileCompressor(options).compress(plain);
}

CompressedFile FileCompressor::compress(const std::string& plain) {
  const CompressionOptions& options = options_;
  CompressedFile result;
  result.path = plain + codec_suffix(options.codec);
  Fd in{::open(plain.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) {
    result.error = describe_error("cannot read for compression", errno);
    return result;
  }
  struct stat st;
  if (::fstat(in.fd, &st) != 0) {
    result.error = describe_error("cannot read for compression", errno);
    return result;
  }
  Fd out;
  if (hold_) hold_->hold_parent_of(result.path);
  out.fd = ::open(result.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (hold_) hold_->release();
  if (out.fd < 0) {
    result.error = describe_error("cannot create", errno);
    return result;
  }
  Compressor* compressor = compressor_.get();
  compressor->begin(out.fd, static_cast<uint64_t>(st.st_size));
  std::vector<uint8_t>& chunk = chunk_;
  for (;;) {
    ssize_t got = ::read(in.fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      result.error = describe_error("cannot read for compression", errno);
      return result;
    }
    result.original += static_cast<uint64_t>(got);
    if (!compressor->feed(ByteView(chunk.data(), static_cast<size_t>(got)), got == 0)) {
      result.error = compressor->error();
      return result;
    }
    if (got == 0) break;
  }
  result.compressed = compressor->written();
  // The compressed file carries the flow's time, as the plain one did.
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (::futimens(out.fd, times) != 0 || ::close(std::exchange(out.fd, -1)) != 0) {
    result.error = describe_error("close failed", errno);
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace tcpflow::output
