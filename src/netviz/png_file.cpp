#include "netviz/png_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace tcpflow::netviz {

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

// One chunk: length, type, data, CRC of type and data.
void chunk(std::vector<uint8_t>& out, const char* type, const std::vector<uint8_t>& data) {
  put32(out, static_cast<uint32_t>(data.size()));
  size_t crc_from = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  uLong crc = crc32(0, out.data() + crc_from, static_cast<uInt>(out.size() - crc_from));
  put32(out, static_cast<uint32_t>(crc));
}

// One row as a PNG scanline: filter type 1 (each byte minus the one a pixel
// to its left), which turns runs of one colour into zeros.
void filter_row(const uint8_t* pixels, int width, uint8_t* out) {
  *out++ = 1;
  uint8_t left[3] = {0, 0, 0};
  for (int x = 0; x < width; ++x) {
    uint32_t p;
    std::memcpy(&p, pixels + 4 * static_cast<size_t>(x), 4);
    const uint8_t rgb[3] = {static_cast<uint8_t>(p >> 16), static_cast<uint8_t>(p >> 8),
                            static_cast<uint8_t>(p)};
    for (int c = 0; c < 3; ++c) {
      *out++ = static_cast<uint8_t>(rgb[c] - left[c]);
      left[c] = rgb[c];
    }
  }
}

// The rows filtered and compressed one at a time: a page's filtered image is
// megabytes, which the whole-image buffers this replaces had to fault in and
// clear (most of a sanitized -a run's time on a small capture); the deflate
// output is a small fraction of it.
// Returns what failed, or null.
const char* compress_rows(const uint8_t* pixels, int width, int height, int stride,
                          std::vector<uint8_t>& packed) {
  // Run-length matching only: after the 'sub' filter a page is mostly runs
  // of zeros, and this costs a fraction of a full search for a few per cent
  // more bytes.
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) {
    return "cannot start compression";
  }
  std::vector<uint8_t> row(1 + 3 * static_cast<size_t>(width));
  constexpr size_t kWindow = 64 * 1024;
  std::vector<uint8_t> window(kWindow);
  int status = Z_OK;
  for (int y = 0; y <= height && status != Z_STREAM_ERROR; ++y) {
    const bool last = y == height;
    if (!last) {
      filter_row(pixels + static_cast<size_t>(y) * static_cast<size_t>(stride), width, row.data());
      z.next_in = row.data();
      z.avail_in = static_cast<uInt>(row.size());
    }
    do {  // zlib's idiom: call again while it fills the whole window
      z.next_out = window.data();
      z.avail_out = static_cast<uInt>(kWindow);
      status = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      if (status == Z_STREAM_ERROR) break;
      packed.insert(packed.end(), window.data(), window.data() + (kWindow - z.avail_out));
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return status == Z_STREAM_END ? nullptr : "compression failed";
}

}  // namespace

std::string write_png(const std::string& path, const uint8_t* pixels, int width, int height,
                      int stride) {
  std::vector<uint8_t> packed;
  if (const char* failed = compress_rows(pixels, width, height, stride, packed)) {
    return path + ": " + failed;
  }
  std::vector<uint8_t> file = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  std::vector<uint8_t> header;
  put32(header, static_cast<uint32_t>(width));
  put32(header, static_cast<uint32_t>(height));
  header.insert(header.end(), {8, 2, 0, 0, 0});  // 8-bit RGB, deflate, filtered rows, no interlace
  chunk(file, "IHDR", header);
  chunk(file, "IDAT", packed);
  chunk(file, "IEND", {});
  std::unique_ptr<std::FILE, FileCloser> out(std::fopen(path.c_str(), "wb"));
  if (!out) return path + ": " + std::strerror(errno);
  if (std::fwrite(file.data(), 1, file.size(), out.get()) != file.size() ||
      std::fclose(out.release()) != 0) {
    return path + ": " + std::strerror(errno);
  }
  return {};
}

}  // namespace tcpflow::netviz
