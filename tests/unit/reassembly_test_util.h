// Fakes and helpers shared by the reassembler tests.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "reassembly/reassembler.h"

namespace tcpflow::reassembly::testing {

constexpr uint8_t kFin = 0x01;
constexpr uint8_t kSyn = 0x02;
constexpr uint8_t kAck = 0x10;

// Stores writes by offset like a sparse file: holes read back as zero.
class VectorSink : public StreamSink {
 public:
  void write(uint64_t offset, ByteView data, Timestamp) override {
    ++writes;
    last_write_data = data.data();
    if (offset + data.size() > bytes.size()) {
      bytes.resize(offset + data.size(), 0);
      written.resize(offset + data.size(), false);
    }
    if (offset < high_water && !data.empty()) ++rewrites;
    high_water = std::max<uint64_t>(high_water, offset + data.size());
    std::copy(data.begin(), data.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
    std::fill_n(written.begin() + static_cast<std::ptrdiff_t>(offset), data.size(), true);
  }
  bool read_back(uint64_t offset, uint8_t* out, size_t len) override {
    ++read_backs;
    if (offset + len > bytes.size()) return false;
    for (size_t i = 0; i < len; ++i) {
      if (!written[offset + i]) return false;
    }
    std::memcpy(out, bytes.data() + offset, len);
    return true;
  }
  bool shift(uint64_t delta) override {
    shifts.push_back(delta);
    bytes.insert(bytes.begin(), delta, 0);
    written.insert(written.begin(), delta, false);
    high_water += delta;
    return true;
  }

  std::vector<uint8_t> bytes;
  std::vector<bool> written;
  std::vector<uint64_t> shifts;
  const uint8_t* last_write_data = nullptr;
  uint64_t high_water = 0;
  int writes = 0;
  int rewrites = 0;  // writes that started below an offset already written
  int read_backs = 0;
};

// Like a console: prints each write and can neither read back nor shift.
class ConsoleSink : public StreamSink {
 public:
  void write(uint64_t offset, ByteView data, Timestamp) override {
    log.emplace_back(offset, std::vector<uint8_t>(data.begin(), data.end()));
    printed.insert(printed.end(), data.begin(), data.end());
  }
  bool read_back(uint64_t, uint8_t*, size_t) override { return false; }
  bool shift(uint64_t) override {
    ++shift_requests;
    return false;
  }

  std::vector<std::pair<uint64_t, std::vector<uint8_t>>> log;
  std::vector<uint8_t> printed;
  int shift_requests = 0;
};

inline std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

struct Piece {
  uint64_t offset;
  uint64_t length;
};

// Cuts [0, n) into consecutive pieces of min_len..max_len bytes.
inline std::vector<Piece> cut(uint64_t n, uint32_t seed, uint64_t min_len = 1,
                              uint64_t max_len = 1460) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<uint64_t> len(min_len, max_len);
  std::vector<Piece> out;
  for (uint64_t at = 0; at < n;) {
    const uint64_t l = std::min(len(rng), n - at);
    out.push_back({at, l});
    at += l;
  }
  return out;
}

inline Segment seg(uint32_t seq, const uint8_t* data, size_t len, uint8_t flags = kAck,
                   bool bad = false) {
  Segment s;
  s.seq = seq;
  s.flags = flags;
  s.payload = ByteView(data, len);
  s.checksum_bad = bad;
  s.ts = Timestamp{1700000000, 0};
  return s;
}

// A data segment carrying stream[offset, offset+len) for a stream whose byte 0
// has sequence number first_seq (ISN+1 when a SYN opened it).
inline Segment data_seg(uint32_t first_seq, const std::vector<uint8_t>& stream, Piece p,
                        bool bad = false) {
  return seg(static_cast<uint32_t>(first_seq + p.offset), stream.data() + p.offset, p.length, kAck,
             bad);
}

inline Segment syn_seg(uint32_t isn) { return seg(isn, nullptr, 0, kSyn); }

// A reassembler with its sink and budget, for brevity in tests.
template <typename Sink = VectorSink>
struct Rig {
  explicit Rig(ReassemblyLimits limits = {}, OverlapPolicy policy = OverlapPolicy::kFirstWins,
               uint64_t budget_bytes = UINT64_MAX)
      : budget(budget_bytes), r(sink, limits, policy, budget) {}
  Sink sink;
  MemoryBudget budget;
  Reassembler r;
};

inline ReassemblyLimits limits_with(uint64_t max_seek, uint64_t max_stored = UINT64_MAX,
                                    uint64_t flow_buffer_limit = 8ull << 20) {
  ReassemblyLimits l;
  l.max_seek = max_seek;
  l.max_stored = max_stored;
  l.flow_buffer_limit = flow_buffer_limit;
  return l;
}

}  // namespace tcpflow::reassembly::testing
