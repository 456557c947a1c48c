#include "decode/ip_defrag.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <tuple>

namespace tcpflow::decode {
namespace {

// The largest end offset a fragment may reach: the IPv4 total length and the
// IPv6 fragmentable length are both 16-bit quantities.
constexpr uint64_t kMaxDatagramEnd = 65535;

struct FragKey {
  uint8_t version = 0;
  uint8_t protocol = 0;
  uint32_t id = 0;
  IpAddress src;
  IpAddress dst;

  friend bool operator<(const FragKey& a, const FragKey& b) {
    return std::tie(a.version, a.protocol, a.id, a.src, a.dst) <
           std::tie(b.version, b.protocol, b.id, b.src, b.dst);
  }
};

// One datagram being rebuilt. Pieces are disjoint: where a fragment overlaps
// bytes already held, only its new bytes are stored (the first copy wins),
// except that a good fragment's bytes replace those that came from a
// fragment whose IPv4 header checksum was wrong (a corrupted copy).
struct FragSet {
  Timestamp created;
  std::list<FragKey>::iterator age_pos;
  std::map<uint32_t, std::vector<uint8_t>> pieces;  // start offset -> bytes
  uint64_t stored = 0;   // bytes held in pieces
  uint32_t max_end = 0;  // highest end any accepted fragment claimed
  uint32_t end = 0;      // datagram length, once the last fragment was seen
  bool has_end = false;
  // Per byte offset: 1 where the bytes held came from a bad-header fragment.
  // Empty until such a fragment arrives; its size counts as held memory.
  std::vector<uint8_t> weak;
  uint32_t weak_bytes = 0;  // ones in `weak`
};

using SetMap = std::map<FragKey, FragSet>;

bool older_than(Timestamp created, Timestamp now, int64_t timeout_sec) {
  if (!(created < now)) return false;  // clocks going backwards never expire a set
  // Unsigned difference: exact for now >= created, and free of signed overflow.
  const uint64_t secs = uint64_t(now.sec) - uint64_t(created.sec);
  const uint64_t limit = timeout_sec > 0 ? uint64_t(timeout_sec) : 0;
  if (secs != limit) return secs > limit;
  return now.nsec > created.nsec;
}

// Fragment properties that make it impossible whatever else arrives.
bool fragment_impossible(const IpPacket& f) {
  const uint64_t end = uint64_t(f.fragment_offset) + f.payload_length;
  if (end > kMaxDatagramEnd || f.fragment_offset % 8 != 0) return true;
  // Only the last fragment may have a length that is not a multiple of 8.
  return f.more_fragments && (f.payload_length == 0 || f.payload_length % 8 != 0);
}

// Whether a fragment contradicts what the set already knows about the end.
bool contradicts(const FragSet& set, uint32_t end, bool last) {
  if (last) return (set.has_end && set.end != end) || set.max_end > end;
  return set.has_end && end > set.end;
}

}  // namespace

struct IpDefragmenter::Impl {
  DefragLimits limits;
  SetMap sets;
  std::list<FragKey> by_age;  // creation order, oldest first: expiry looks at the front only
  uint64_t held = 0;
  std::vector<uint8_t> buffer;  // the last completed datagram, valid until the next add()

  void drop(SetMap::iterator it) {
    held -= it->second.stored + it->second.weak.size();
    by_age.erase(it->second.age_pos);
    sets.erase(it);
  }

  void drop_oldest(Stats& stats, Counter why) {
    drop(sets.find(by_age.front()));
    stats.add(why);
  }

  void expire(Timestamp now, Stats& stats) {
    while (!by_age.empty()) {
      auto it = sets.find(by_age.front());
      if (!older_than(it->second.created, now, limits.timeout_sec)) break;
      drop(it);
      stats.add(Counter::kFragmentsTimedOut);
    }
  }

  void enforce_limits(Stats& stats) {
    while (!by_age.empty() && (sets.size() > limits.max_sets || held > limits.max_bytes))
      drop_oldest(stats, Counter::kFragmentsOverLimit);
  }

  SetMap::iterator find_or_create(const FragKey& key, Timestamp ts) {
    auto it = sets.find(key);
    if (it != sets.end()) return it;
    it = sets.emplace(key, FragSet{}).first;
    it->second.created = ts;
    it->second.age_pos = by_age.insert(by_age.end(), key);
    return it;
  }

  // Stores `bytes` at `at`, appending to a piece that ends exactly there so
  // fragments arriving in order become one piece.
  void insert_piece(FragSet& set, uint32_t at, ByteView bytes, bool bad) {
    if (bad) mark_weak(set, at, static_cast<uint32_t>(bytes.size()));
    set.stored += bytes.size();
    held += bytes.size();
    auto next = set.pieces.lower_bound(at);
    if (next != set.pieces.begin()) {
      auto prev = std::prev(next);
      if (prev->first + prev->second.size() == at) {
        prev->second.insert(prev->second.end(), bytes.begin(), bytes.end());
        return;
      }
    }
    set.pieces.emplace_hint(next, at, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  }

  void mark_weak(FragSet& set, uint32_t at, uint32_t n) {
    if (set.weak.size() < at + n) {
      held += at + n - set.weak.size();
      set.weak.resize(at + n, 0);
    }
    for (uint32_t i = at; i < at + n; ++i) {
      set.weak_bytes += set.weak[i] == 0;
      set.weak[i] = 1;
    }
  }

  // `n` bytes at offset `at` are both held (`kept`) and in a new fragment
  // (`fresh`). A good copy repairs bytes a bad-header fragment supplied; a bad
  // copy never replaces good bytes. Returns true when copies equally trusted
  // differ (the first is kept).
  static bool overlap(FragSet& set, uint8_t* kept, uint32_t at, const uint8_t* fresh, uint32_t n,
                      bool fresh_bad) {
    if (set.weak_bytes == 0 && !fresh_bad) return std::memcmp(kept, fresh, n) != 0;
    bool conflict = false;
    for (uint32_t i = 0; i < n; ++i) {
      const bool kept_bad = at + i < set.weak.size() && set.weak[at + i] != 0;
      if (kept_bad && !fresh_bad) {
        kept[i] = fresh[i];
        set.weak[at + i] = 0;
        --set.weak_bytes;
      } else if (kept_bad == fresh_bad && kept[i] != fresh[i]) {
        conflict = true;
      }
    }
    return conflict;
  }

  // Adds the bytes no earlier fragment supplied and settles overlaps.
  // Returns true when an overlap carried different bytes.
  bool store(FragSet& set, uint32_t start, ByteView bytes, bool bad) {
    const uint32_t end = start + static_cast<uint32_t>(bytes.size());
    auto it = set.pieces.upper_bound(start);
    if (it != set.pieces.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second.size() > start) it = prev;
    }
    bool conflict = false;
    uint32_t cur = start;
    while (cur < end) {
      if (it == set.pieces.end() || it->first >= end) {
        insert_piece(set, cur, bytes.subview(cur - start, end - cur), bad);
        break;
      }
      const uint32_t piece_start = it->first;
      const uint32_t piece_end = piece_start + static_cast<uint32_t>(it->second.size());
      if (piece_start > cur) {
        insert_piece(set, cur, bytes.subview(cur - start, piece_start - cur), bad);
        cur = piece_start;
      }
      const uint32_t overlap_end = std::min(piece_end, end);
      if (overlap(set, it->second.data() + (cur - piece_start), cur, bytes.data() + (cur - start),
                  overlap_end - cur, bad))
        conflict = true;
      cur = overlap_end;
      ++it;
    }
    return conflict;
  }

  // Copies a complete set into `buffer` and describes it in `out`.
  void assemble(const FragSet& set, const IpPacket& fragment, IpPacket& out) {
    buffer.resize(set.end);
    for (const auto& [at, bytes] : set.pieces)
      std::copy(bytes.begin(), bytes.end(), buffer.begin() + at);
    out = IpPacket{};
    out.proto = fragment.proto;
    out.src = fragment.src;
    out.dst = fragment.dst;
    out.transport = fragment.transport;
    out.fragment_id = fragment.fragment_id;
    out.payload = ByteView(buffer.data(), buffer.size());
    out.payload_length = set.end;
    out.header_checksum_bad = set.weak_bytes > 0;
  }
};

IpDefragmenter::IpDefragmenter(const DefragLimits& limits) : impl_(std::make_unique<Impl>()) {
  impl_->limits = limits;
}

IpDefragmenter::~IpDefragmenter() = default;

bool IpDefragmenter::add(const IpPacket& fragment, Timestamp ts, IpPacket& whole, Stats& stats) {
  if (!fragment.is_fragment) return false;
  stats.add(Counter::kFragments);
  Impl& im = *impl_;
  im.expire(ts, stats);
  if (fragment_impossible(fragment)) {
    stats.add(Counter::kFragmentsBad);
    return false;
  }
  const FragKey key{static_cast<uint8_t>(fragment.proto), fragment.transport,
                    fragment.fragment_id, fragment.src, fragment.dst};
  const uint32_t end = fragment.fragment_offset + fragment.payload_length;
  const bool last = !fragment.more_fragments;
  auto it = im.sets.find(key);
  if (it != im.sets.end() && contradicts(it->second, end, last)) {
    stats.add(Counter::kFragmentsBad);
    return false;
  }
  it = im.find_or_create(key, ts);
  FragSet& set = it->second;
  if (last) {
    set.has_end = true;
    set.end = end;
  }
  set.max_end = std::max(set.max_end, end);
  // A fragment cut by the snap length stores what was captured; the hole it
  // leaves keeps the set incomplete until another copy fills it.
  if (im.store(set, fragment.fragment_offset, fragment.payload.first(fragment.payload_length),
               fragment.header_checksum_bad))
    stats.add(Counter::kFragmentOverlapConflicts);

  if (set.has_end && set.stored == set.end) {
    im.assemble(set, fragment, whole);
    im.drop(it);
    stats.add(Counter::kFragmentsReassembled);
    return true;
  }
  im.enforce_limits(stats);
  return false;
}

void IpDefragmenter::expire(Timestamp now, Stats& stats) { impl_->expire(now, stats); }

uint64_t IpDefragmenter::held_bytes() const { return impl_->held; }

size_t IpDefragmenter::held_sets() const { return impl_->sets.size(); }

}  // namespace tcpflow::decode
