// Decoders for the compressor tests: each reads every stream of its input,
// one after another (as zcat, zstd -d and bzip2 -d do), fails the test on
// a corrupt or cut-short stream, and says how many streams there were.
#pragma once
#include <bzlib.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "output/file_compressor.h"

namespace tcpflow::output {

struct Unpacked {
  std::vector<uint8_t> bytes;
  size_t streams = 0;
};

inline Unpacked gunzip_all(const uint8_t* in, size_t size) {
  Unpacked out;
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 16 + MAX_WBITS), Z_OK);
  z.next_in = const_cast<Bytef*>(in);
  z.avail_in = static_cast<uInt>(size);
  uint8_t buf[16384];
  bool ended = true;
  while (z.avail_in > 0) {
    ended = false;
    z.next_out = buf;
    z.avail_out = sizeof buf;
    int ret = inflate(&z, Z_NO_FLUSH);
    out.bytes.insert(out.bytes.end(), buf, buf + (sizeof buf - z.avail_out));
    if (ret == Z_STREAM_END) {
      ++out.streams;
      ended = true;
      inflateReset(&z);
    } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
      ADD_FAILURE() << "inflate: " << ret;
      break;
    }
  }
  EXPECT_TRUE(ended) << "the last gzip stream is cut short";
  inflateEnd(&z);
  return out;
}

inline Unpacked unzstd_all(const uint8_t* in, size_t size) {
  Unpacked out;
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  ZSTD_inBuffer src{in, size, 0};
  uint8_t buf[16384];
  size_t left = 0;
  while (src.pos < src.size || left != 0) {
    ZSTD_outBuffer dst{buf, sizeof buf, 0};
    const size_t before = src.pos;
    left = ZSTD_decompressStream(ctx, &dst, &src);
    if (ZSTD_isError(left)) {
      ADD_FAILURE() << ZSTD_getErrorName(left);
      break;
    }
    out.bytes.insert(out.bytes.end(), buf, buf + dst.pos);
    if (left == 0) ++out.streams;
    if (left != 0 && src.pos == before && dst.pos == 0) {
      ADD_FAILURE() << "the last zstd frame is cut short";
      break;
    }
  }
  ZSTD_freeDCtx(ctx);
  return out;
}

inline Unpacked bunzip_all(const uint8_t* in, size_t size) {
  Unpacked out;
  size_t at = 0;
  char buf[16384];
  while (at < size) {
    bz_stream bz{};
    EXPECT_EQ(BZ2_bzDecompressInit(&bz, 0, 0), BZ_OK);
    bz.next_in = const_cast<char*>(reinterpret_cast<const char*>(in + at));
    bz.avail_in = static_cast<unsigned>(size - at);
    int ret;
    do {
      bz.next_out = buf;
      bz.avail_out = sizeof buf;
      ret = BZ2_bzDecompress(&bz);
      out.bytes.insert(out.bytes.end(), buf, buf + (sizeof buf - bz.avail_out));
    } while (ret == BZ_OK && !(bz.avail_in == 0 && bz.avail_out != 0));
    EXPECT_EQ(ret, BZ_STREAM_END);
    at = size - bz.avail_in;
    BZ2_bzDecompressEnd(&bz);
    if (ret != BZ_STREAM_END) break;
    ++out.streams;
  }
  return out;
}

inline Unpacked unpack_all(Codec codec, const uint8_t* in, size_t size) {
  if (codec == Codec::kGzip) return gunzip_all(in, size);
  if (codec == Codec::kZstd) return unzstd_all(in, size);
  return bunzip_all(in, size);
}

inline Unpacked unpack_all(Codec codec, const std::string& in) {
  return unpack_all(codec, reinterpret_cast<const uint8_t*>(in.data()), in.size());
}

inline Unpacked unpack_all(Codec codec, const std::vector<uint8_t>& in) {
  return unpack_all(codec, in.data(), in.size());
}

}  // namespace tcpflow::output
