// libFuzzer target: one TCP direction through reassembly::Reassembler into an
// in-memory StreamSink, checking invariants after every segment.
//
// Input byte 0 picks the mode and options:
//   bit 0  in-order mode: the rest is [ISN: 4 bytes] then chunks [len][payload],
//          sent after a SYN with consecutive sequence numbers; the sink must end
//          up holding exactly the concatenated payloads, with no gap.
//   bit 1  OverlapPolicy::kLastWins instead of kFirstWins
//   bits 2-3  per-flow out-of-order buffer limit (64 B, 1 KiB, 64 KiB, 8 MiB)
//   bits 4-5  shared budget (128 B, 4 KiB, 1 MiB, unlimited)
//   bit 6  -b cap of 4 KiB
// Free mode: records [seq: 4 bytes BE][flags][len][payload...]; flags bit 7
// marks the segment's checksum bad. -m is 64 KiB so a sequence jump is cheap.
// Invariants: bytes written to the sink <= payload bytes given; the stream's
// end in the sink <= highest_end(); contiguous_end() <= highest_end(); gap
// bytes recorded <= highest_end(); after finish(), every byte below
// highest_end() was written or lies in a recorded gap.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "decode/packet.h"
#include "reassembly/reassembler.h"

using namespace tcpflow;
using namespace tcpflow::reassembly;

namespace {

[[noreturn]] void fail(const char* what, uint64_t a, uint64_t b) {
  std::fprintf(stderr, "INVARIANT FAILED: %s (%llu vs %llu)\n", what,
               static_cast<unsigned long long>(a), static_cast<unsigned long long>(b));
  std::abort();
}

constexpr uint64_t kMaxSeek = 64 << 10;
constexpr uint64_t kSinkLimit = 64ull << 20;  // more than any legal stream here

class MemorySink : public StreamSink {
 public:
  void write(uint64_t offset, ByteView data, Timestamp) override {
    if (offset + data.size() > kSinkLimit) fail("sink write far beyond any legal offset", offset, data.size());
    if (offset + data.size() > bytes_.size()) {
      bytes_.resize(offset + data.size());
      written_.resize(offset + data.size());
    }
    if (!data.empty()) std::memcpy(bytes_.data() + offset, data.data(), data.size());
    for (size_t i = 0; i < data.size(); ++i) written_[offset + i] = 1;
    total_written_ += data.size();
  }
  bool read_back(uint64_t offset, uint8_t* out, size_t len) override {
    if (offset + len > bytes_.size()) return false;
    for (size_t i = 0; i < len; ++i)
      if (!written_[offset + i]) return false;
    std::memcpy(out, bytes_.data() + offset, len);
    return true;
  }
  bool shift(uint64_t delta) override {
    if (bytes_.size() + delta > kSinkLimit) fail("shift beyond any legal offset", delta, bytes_.size());
    bytes_.insert(bytes_.begin(), delta, 0);
    written_.insert(written_.begin(), delta, 0);
    return true;
  }
  uint64_t end() const { return bytes_.size(); }
  uint64_t total_written() const { return total_written_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  const std::vector<uint8_t>& written() const { return written_; }

 private:
  std::vector<uint8_t> bytes_;
  std::vector<uint8_t> written_;
  uint64_t total_written_ = 0;
};

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

uint64_t gap_bytes(const Reassembler& r) {
  uint64_t n = 0;
  for (const auto& g : r.stats().gaps) n += g.length;
  return n;
}

void check(const Reassembler& r, const MemorySink& sink, uint64_t given) {
  if (r.contiguous_end() > r.highest_end()) fail("contiguous_end > highest_end", r.contiguous_end(), r.highest_end());
  if (sink.total_written() > given + 0) {
    // Every byte the sink received came from a payload given to add().
    fail("bytes written > payload bytes given", sink.total_written(), given);
  }
  if (sink.end() > r.highest_end()) fail("sink end > highest_end", sink.end(), r.highest_end());
  if (gap_bytes(r) > r.highest_end()) fail("gap bytes > highest_end", gap_bytes(r), r.highest_end());
}

void run_in_order(const uint8_t* data, size_t size, const ReassemblyLimits& limits,
                  OverlapPolicy policy, MemoryBudget& budget) {
  if (size < 4) return;
  uint32_t seq = be32(data);
  data += 4;
  size -= 4;
  MemorySink sink;
  Reassembler r(sink, limits, policy, budget);
  Segment syn;
  syn.seq = seq;
  syn.flags = decode::kSyn;
  r.add(syn);
  ++seq;
  std::vector<uint8_t> expect;
  uint64_t given = 0;
  while (size >= 1) {
    size_t len = data[0];
    ++data;
    --size;
    if (len > size) len = size;
    std::vector<uint8_t> payload(data, data + len);  // exact bounds for ASan
    Segment s;
    s.seq = seq;
    s.flags = decode::kAck;
    s.payload = ByteView(payload.data(), payload.size());
    s.ts.sec = 1;
    r.add(s);
    expect.insert(expect.end(), payload.begin(), payload.end());
    given += len;
    seq += uint32_t(len);
    data += len;
    size -= len;
    check(r, sink, given);
    if (r.held_bytes() != 0) fail("in-order input held bytes", r.held_bytes(), 0);
  }
  r.finish();
  check(r, sink, given);
  uint64_t cap = limits.max_stored;
  uint64_t want = expect.size() < cap ? expect.size() : cap;
  if (sink.end() != want) fail("in-order: sink size != input size", sink.end(), want);
  if (want && std::memcmp(sink.bytes().data(), expect.data(), want) != 0)
    fail("in-order: content differs", 0, 0);
  if (!r.stats().gaps.empty()) fail("in-order: gaps recorded", r.stats().gaps.size(), 0);
  if (r.contiguous_end() != want) fail("in-order: contiguous_end != input size", r.contiguous_end(), want);
}

void run_free(const uint8_t* data, size_t size, const ReassemblyLimits& limits,
              OverlapPolicy policy, MemoryBudget& budget) {
  MemorySink sink;
  Reassembler r(sink, limits, policy, budget);
  uint64_t given = 0;
  while (size >= 6) {
    uint32_t seq = be32(data);
    uint8_t flags = data[4];
    size_t len = data[5];
    data += 6;
    size -= 6;
    if (len > size) len = size;
    std::vector<uint8_t> payload(data, data + len);
    Segment s;
    s.seq = seq;
    s.flags = flags & 0x3f;
    s.checksum_bad = (flags & 0x80) != 0;
    s.payload = ByteView(payload.data(), payload.size());
    s.ts.sec = int64_t(given);
    AddStatus st = r.add(s);
    if (st != AddStatus::kJump) given += len;
    data += len;
    size -= len;
    check(r, sink, given);
    if (st == AddStatus::kJump) break;  // the caller would start a new stream
  }
  r.finish();
  check(r, sink, given);
  if (r.held_bytes() != 0) fail("held bytes after finish", r.held_bytes(), 0);
  // Every byte below the end is either written or inside a recorded gap.
  std::vector<uint8_t> covered(sink.written());
  covered.resize(r.highest_end() < kSinkLimit ? r.highest_end() : kSinkLimit, 0);
  for (const auto& g : r.stats().gaps) {
    for (uint64_t i = g.offset; i < g.offset + g.length && i < covered.size(); ++i) covered[i] = 1;
  }
  for (size_t i = 0; i < covered.size(); ++i)
    if (!covered[i]) fail("byte neither written nor in a gap", i, r.highest_end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t opt = data[0];
  static const uint64_t kFlowLimits[] = {64, 1024, 64 << 10, 8 << 20};
  static const uint64_t kBudgets[] = {128, 4096, 1 << 20, UINT64_MAX};
  ReassemblyLimits limits;
  limits.max_seek = kMaxSeek;
  limits.flow_buffer_limit = kFlowLimits[(opt >> 2) & 3];
  if (opt & 0x40) limits.max_stored = 4096;
  MemoryBudget budget(kBudgets[(opt >> 4) & 3]);
  OverlapPolicy policy = (opt & 2) ? OverlapPolicy::kLastWins : OverlapPolicy::kFirstWins;
  if (opt & 1) {
    run_in_order(data + 1, size - 1, limits, policy, budget);
  } else {
    run_free(data + 1, size - 1, limits, policy, budget);
  }
  if (budget.used() != 0) fail("shared budget not released", budget.used(), 0);
  return 0;
}
