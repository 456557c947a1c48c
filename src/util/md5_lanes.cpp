#include "util/md5_lanes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "util/cpu_features.h"
#include "util/hex.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define TCPFLOW_MD5_AVX2 1
#endif

namespace tcpflow {

namespace {

// Per step: the left rotation (RFC 1321, 3.4).
constexpr std::array<uint8_t, 64> kShift = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

// Per step: the message word it adds.
constexpr size_t word_of(size_t step) {
  return step < 16   ? step
         : step < 32 ? (5 * step + 1) % 16
         : step < 48 ? (3 * step + 5) % 16
                     : (7 * step) % 16;
}

// Per step: the integer part of 2^32 * |sin(step + 1)| (RFC 1321, 3.4).
const std::array<uint32_t, 64>& sine_table() {
  static const std::array<uint32_t, 64> table = [] {
    std::array<uint32_t, 64> t{};
    for (size_t i = 0; i < t.size(); ++i) {
      t[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(static_cast<double>(i + 1))) *
                                              4294967296.0));
    }
    return t;
  }();
  return table;
}

constexpr uint32_t kInitialState[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};

uint32_t load_le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint32_t rotl(uint32_t x, unsigned s) { return (x << s) | (x >> (32 - s)); }

void compress(uint32_t state[4], const uint8_t* blocks, size_t count) {
  const std::array<uint32_t, 64>& sines = sine_table();
  for (size_t block = 0; block < count; ++block, blocks += 64) {
    uint32_t m[16];
    for (size_t i = 0; i < 16; ++i) m[i] = load_le32(blocks + 4 * i);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
#pragma GCC unroll 64
    for (size_t i = 0; i < 64; ++i) {
      uint32_t f = i < 16   ? (b & c) | (~b & d)
                   : i < 32 ? (d & b) | (~d & c)
                   : i < 48 ? b ^ c ^ d
                            : c ^ (b | ~d);
      f += a + sines[i] + m[word_of(i)];
      a = d;
      d = c;
      c = b;
      b += rotl(f, kShift[i]);
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
  }
}

#ifdef TCPFLOW_MD5_AVX2

// Columns of eight rows of eight 32-bit words: out[k] holds word k of each row.
__attribute__((target("avx2"))) inline void transpose8(const __m256i in[8], __m256i out[8]) {
  __m256i t[8], u[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_epi32(in[2 * i], in[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_epi32(in[2 * i], in[2 * i + 1]);
  }
  for (int i = 0; i < 2; ++i) {
    u[4 * i] = _mm256_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 1] = _mm256_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    u[4 * i + 2] = _mm256_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    u[4 * i + 3] = _mm256_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    out[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
    out[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
  }
}

// `count` blocks of each of eight streams: lane j's blocks start at
// blocks[j], `stride[j]` bytes apart (0 for an idle lane, which hashes one
// block over and over into a state nobody reads).
__attribute__((target("avx2"))) void compress_x8(uint32_t* const states[8],
                                                 const uint8_t* const blocks[8],
                                                 const size_t stride[8], size_t count) {
  const std::array<uint32_t, 64>& sines = sine_table();
  alignas(32) uint32_t lanes[4][8];
  for (int j = 0; j < 8; ++j) {
    for (int k = 0; k < 4; ++k) lanes[k][j] = states[j][k];
  }
  __m256i a = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes[0]));
  __m256i b = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes[1]));
  __m256i c = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes[2]));
  __m256i d = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes[3]));
  const __m256i ones = _mm256_set1_epi32(-1);
  for (size_t block = 0; block < count; ++block) {
    __m256i rows[8], m[16];
    for (int half = 0; half < 2; ++half) {
      for (int j = 0; j < 8; ++j) {
        rows[j] = _mm256_loadu_si256(
            reinterpret_cast<const __m256i*>(blocks[j] + block * stride[j] + 32 * half));
      }
      transpose8(rows, m + 8 * half);
    }
    const __m256i a0 = a, b0 = b, c0 = c, d0 = d;
#pragma GCC unroll 64
    for (size_t i = 0; i < 64; ++i) {
      __m256i f;
      if (i < 16) {
        f = _mm256_or_si256(_mm256_and_si256(b, c), _mm256_andnot_si256(b, d));
      } else if (i < 32) {
        f = _mm256_or_si256(_mm256_and_si256(d, b), _mm256_andnot_si256(d, c));
      } else if (i < 48) {
        f = _mm256_xor_si256(_mm256_xor_si256(b, c), d);
      } else {
        f = _mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, ones)));
      }
      f = _mm256_add_epi32(_mm256_add_epi32(f, a),
                           _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(sines[i])),
                                            m[word_of(i)]));
      a = d;
      d = c;
      c = b;
      const int s = kShift[i];
      b = _mm256_add_epi32(b, _mm256_or_si256(_mm256_slli_epi32(f, s),
                                              _mm256_srli_epi32(f, 32 - s)));
    }
    a = _mm256_add_epi32(a, a0);
    b = _mm256_add_epi32(b, b0);
    c = _mm256_add_epi32(c, c0);
    d = _mm256_add_epi32(d, d0);
  }
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[0]), a);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[1]), b);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[2]), c);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[3]), d);
  for (int j = 0; j < 8; ++j) {
    for (int k = 0; k < 4; ++k) states[j][k] = lanes[k][j];
  }
}

#endif

}  // namespace

Md5Stream::Md5Stream() { std::memcpy(state_, kInitialState, sizeof state_); }

void Md5Stream::update(ByteView data) {
  if (data.empty()) return;  // an empty view may have no data pointer at all
  const uint8_t* p = data.data();
  size_t left = data.size();
  length_ += left;
  if (tail_len_ > 0) {
    const size_t take = std::min<size_t>(64 - tail_len_, left);
    std::memcpy(tail_ + tail_len_, p, take);
    tail_len_ += static_cast<uint32_t>(take);
    p += take;
    left -= take;
    if (tail_len_ < 64) return;
    compress(state_, tail_, 1);
    tail_len_ = 0;
  }
  compress(state_, p, left / 64);
  p += left / 64 * 64;
  left %= 64;
  if (left > 0) std::memcpy(tail_, p, left);
  tail_len_ = static_cast<uint32_t>(left);
}

std::string Md5Stream::hex_digest() {
  const uint64_t bits = length_ * 8;
  uint8_t pad[72] = {0x80};
  // To 56 bytes past a block boundary, then the length in bits.
  const size_t pad_len = (tail_len_ < 56 ? 56 : 120) - tail_len_;
  update(ByteView(pad, pad_len));
  uint8_t length_bytes[8];
  for (int i = 0; i < 8; ++i) length_bytes[i] = static_cast<uint8_t>(bits >> (8 * i));
  update(ByteView(length_bytes, 8));
  uint8_t digest[16];  // the state words, little-endian
  for (int i = 0; i < 16; ++i) digest[i] = static_cast<uint8_t>(state_[i / 4] >> (8 * (i % 4)));
  return lowercase_hex(digest, sizeof digest);
}

// A lane works through one stream's queued pieces: `run` is the next
// `blocks` whole blocks, straight from the queued bytes; a piece's ragged
// ends pass through the stream's tail on the way.
struct Md5Lanes::Lane {
  Md5Stream* stream = nullptr;
  size_t entry = 0;  // the stream's current piece
  size_t end = 0;    // past its last
  const uint8_t* run = nullptr;
  size_t blocks = 0;
};

Md5Lanes::Md5Lanes() : Md5Lanes(cpu_has_avx2()) {}

Md5Lanes::Md5Lanes(bool use_simd) : simd_(use_simd && cpu_has_avx2()) {}

void Md5Lanes::add(Md5Stream& stream, ByteView data) {
  if (data.empty()) return;
  if (!stream.queued_) {
    stream.queued_ = true;
    ++streams_;
  }
  pending_.push_back(Pending{&stream, data.data(), data.size()});
  bytes_ += data.size();
}

// The lane's next run of whole blocks; false when its stream has no more.
bool Md5Lanes::next_run(Lane& lane) {
  Md5Stream& s = *lane.stream;
  while (lane.entry < lane.end) {
    Pending& piece = pending_[lane.entry];
    if (s.tail_len_ > 0) {
      const size_t take = std::min<size_t>(64 - s.tail_len_, piece.size);
      std::memcpy(s.tail_ + s.tail_len_, piece.data, take);
      s.tail_len_ += static_cast<uint32_t>(take);
      s.length_ += take;
      piece.data += take;
      piece.size -= take;
      if (s.tail_len_ == 64) {
        compress(s.state_, s.tail_, 1);
        s.tail_len_ = 0;
      }
      if (piece.size == 0) {
        ++lane.entry;
        continue;
      }
    }
    const size_t blocks = piece.size / 64;
    if (blocks > 0) {
      lane.run = piece.data;
      lane.blocks = blocks;
      s.length_ += blocks * 64;
      piece.data += blocks * 64;
      piece.size -= blocks * 64;
      return true;
    }
    std::memcpy(s.tail_, piece.data, piece.size);
    s.tail_len_ = static_cast<uint32_t>(piece.size);
    s.length_ += piece.size;
    ++lane.entry;
  }
  return false;
}

// Gives the lane the next stream that has whole blocks to hash.
bool Md5Lanes::load_lane(Lane& lane, size_t& next_group) {
  while (next_group < groups_.size()) {
    const Group& group = groups_[next_group++];
    lane.stream = pending_[group.first].stream;
    lane.entry = group.first;
    lane.end = group.end;
    if (next_run(lane)) return true;
  }
  return false;
}

void Md5Lanes::drain() {
  if (pending_.empty()) return;
  // Each stream's pieces together, in their order; the streams with the
  // most bytes first, so that the lanes end together rather than one long
  // stream finishing alone.
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const Pending& x, const Pending& y) { return x.stream < y.stream; });
  groups_.clear();
  for (size_t i = 0; i < pending_.size();) {
    Group group{i, i, 0};
    for (; group.end < pending_.size() && pending_[group.end].stream == pending_[i].stream;
         ++group.end) {
      group.bytes += pending_[group.end].size;
    }
    groups_.push_back(group);
    i = group.end;
  }
  std::sort(groups_.begin(), groups_.end(),
            [](const Group& x, const Group& y) { return x.bytes > y.bytes; });
  Lane lanes[kLanes];
  size_t active = 0;
  size_t next_entry = 0;
  while (active < kLanes && load_lane(lanes[active], next_entry)) ++active;
  // A lane whose stream is done takes the next stream, or the last lane's.
  auto advance = [&](size_t j, size_t step) {
    Lane& lane = lanes[j];
    lane.run += step * 64;
    lane.blocks -= step;
    if (lane.blocks > 0 || next_run(lane) || load_lane(lane, next_entry)) return true;
    lane = lanes[--active];
    return false;
  };
  while (active > 0) {
#ifdef TCPFLOW_MD5_AVX2
    if (simd_ && active > 1) {
      size_t step = lanes[0].blocks;
      uint32_t idle_state[4] = {};
      static constexpr uint8_t kIdleBlock[64] = {};
      uint32_t* states[kLanes];
      const uint8_t* runs[kLanes];
      size_t strides[kLanes];
      for (size_t j = 0; j < kLanes; ++j) {
        if (j < active) {
          step = std::min(step, lanes[j].blocks);
          states[j] = lanes[j].stream->state_;
          runs[j] = lanes[j].run;
          strides[j] = 64;
        } else {
          states[j] = idle_state;
          runs[j] = kIdleBlock;
          strides[j] = 0;
        }
      }
      compress_x8(states, runs, strides, step);
      for (size_t j = 0; j < active;) {
        if (advance(j, step)) ++j;  // else lane j holds a lane not advanced yet
      }
      continue;
    }
#endif
    const size_t step = lanes[0].blocks;
    compress(lanes[0].stream->state_, lanes[0].run, step);
    advance(0, step);
  }
  for (const Pending& piece : pending_) piece.stream->queued_ = false;
  pending_.clear();
  streams_ = 0;
  bytes_ = 0;
}

}  // namespace tcpflow
