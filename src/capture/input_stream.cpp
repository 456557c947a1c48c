#include "capture/input_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace tcpflow::capture {
namespace {

// Small files (and fuzzers) only pay for a small buffer; the first read that
// fills it moves to the steady size, large enough to amortize each read call.
constexpr size_t kInitialBuffer = size_t{64} << 10;
constexpr size_t kSteadyBuffer = size_t{1} << 20;
// zlib's own input buffer; our reads are larger, so uncompressed input is
// read directly into our buffer without an extra copy.
constexpr unsigned kGzBuffer = 128u << 10;
// gzread takes an unsigned count; stay well inside it.
constexpr size_t kMaxReadStep = size_t{1} << 30;

std::string errno_text(int err) { return std::strerror(err); }

// Read ahead only what must be inflated: for a plain file the second thread
// costs more (an extra copy of every byte between cores, a wake-up per
// chunk) than the read() it takes off the parser. Measured on a 4 GB plain
// capture: 8.4 s with the thread, 5.6 s without.
bool starts_with_gzip_magic(int fd) {
  unsigned char magic[2];
  return ::pread(fd, magic, sizeof magic, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

// gzerror() prefixes its message with the stream's name, "<fd:N>: " for
// gzdopen; callers add the real file name themselves.
std::string zlib_reason(const char* text) {
  std::string s = text ? text : "unknown error";
  if (s.rfind("<fd:", 0) == 0) {
    size_t colon = s.find(": ");
    if (colon != std::string::npos) s.erase(0, colon + 2);
  }
  return s;
}

}  // namespace

InputStream::InputStream(const std::string& path, bool read_ahead)
    : name_(path == "-" ? "standard input" : path) {
  int fd = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(name_ + ": " + errno_text(errno));
  struct stat st;
  bool regular = false;
  if (::fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw Error(name_ + ": " + errno_text(EISDIR));
    }
    regular = S_ISREG(st.st_mode);
    if (regular) file_size_ = static_cast<uint64_t>(st.st_size);
  }
  gz_.reset(gzdopen(fd, "rb"));
  if (!gz_) {
    ::close(fd);
    throw Error(name_ + ": cannot set up zlib reader (out of memory)");
  }
  fd_ = fd;
  gzbuffer(gz_.get(), kGzBuffer);
  grow_to(kInitialBuffer);
  uint8_t magic[kMaxMagicLen];
  format_ = format_from_magic(magic, peek_bytes(fd, magic, sizeof magic));
  if (format_ != CompressionFormat::kNone) {
    decoder_ = make_stream_decoder(format_, fd);
    return;
  }
  if (read_ahead && regular && starts_with_gzip_magic(fd)) {
    read_ahead_ = std::make_unique<ReadAhead>(gz_.get());
  }
}

InputPosition InputStream::position() const {
  InputPosition position;
  position.total = file_size_;
  // The descriptor's offset, not gzoffset(): the read-ahead thread may be
  // using the gz stream, and lseek on a shared descriptor is thread-safe.
  // A pipe has no offset: what was read from it (decompressed, if it was gzip).
  off_t offset = file_size_ > 0 ? ::lseek(fd_, 0, SEEK_CUR) : -1;
  position.consumed = offset >= 0 ? static_cast<uint64_t>(offset) : total_read_;
  return position;
}

void InputStream::grow_to(size_t capacity) {
  std::unique_ptr<uint8_t[]> bigger(new uint8_t[capacity]);
  if (end_ > pos_) std::memcpy(bigger.get(), buffer_.get() + pos_, end_ - pos_);
  end_ -= pos_;
  pos_ = 0;
  buffer_ = std::move(bigger);
  capacity_ = capacity;
}

const char* InputStream::compression() const {
  if (decoder_) return format_name(format_);
  return compressed() ? "gzip" : "none";
}

bool InputStream::compressed() const {
  if (decoder_) return true;
  return read_ahead_ ? !read_ahead_->direct() : gzdirect(gz_.get()) == 0;
}

int InputStream::read_some(uint8_t* out, size_t len) {
  if (decoder_) return decoder_->read(out, len);
  if (read_ahead_) return read_ahead_->read(out, len);
  return gzread(gz_.get(), out, static_cast<unsigned>(len));
}

bool InputStream::refill(size_t n) {
  // Compacting moves the bytes an earlier Record pointed at; the API only
  // promises views until the next call, and this is that call.
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (capacity_ < kSteadyBuffer && total_read_ >= capacity_ && !eof_) grow_to(kSteadyBuffer);
  while (end_ < n) {
    if (eof_ || failed()) return false;
    if (end_ == capacity_) {
      // Only a full buffer grows, so memory follows the bytes really read.
      grow_to(std::max(std::min(capacity_ * 2, std::max(n, kSteadyBuffer)), kSteadyBuffer));
    }
    size_t want = std::min(capacity_ - end_, kMaxReadStep);
    int got = read_some(buffer_.get() + end_, want);
    if (got < 0 && decoder_) {
      error_ = decoder_->error();
      return false;
    }
    if (got < 0) {
      int code = Z_OK;
      const char* text =
          read_ahead_ ? read_ahead_->z_text().c_str() : gzerror(gz_.get(), &code);
      if (read_ahead_) code = read_ahead_->z_code();
      error_ = code == Z_ERRNO ? zlib_reason(text) : "gzip: " + zlib_reason(text);
      return false;
    }
    if (got == 0) {
      eof_ = true;
      if (decoder_) {
        gzip_truncated_ = decoder_->truncated();
        return false;
      }
      int code = Z_OK;
      if (read_ahead_) {
        code = read_ahead_->z_code();
      } else {
        gzerror(gz_.get(), &code);
      }
      // zlib reports a gzip stream cut short as a quiet end of file with
      // Z_BUF_ERROR left behind.
      gzip_truncated_ = code == Z_BUF_ERROR;
      return false;
    }
    end_ += static_cast<size_t>(got);
    total_read_ += static_cast<uint64_t>(got);
  }
  return true;
}

}  // namespace tcpflow::capture
