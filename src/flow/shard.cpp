#include "flow/shard.h"

#include <charconv>
#include <cstring>

#include "util/siphash.h"

namespace tcpflow::flow {
namespace {

constexpr SipKey kShardKey = {'t', 'c', 'p', 'f', 'l', 'o', 'w', ' ',
                              's', 'h', 'a', 'r', 'd', ' ', 'v', '1'};

std::optional<uint32_t> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Address then port, as the canonical layout orders an endpoint.
size_t endpoint_bytes(const decode::IpAddress& address, uint16_t port, uint8_t* out) {
  size_t length = address.family == 6 ? 16 : 4;
  std::memcpy(out, address.bytes.data(), length);
  out[length] = static_cast<uint8_t>(port >> 8);
  out[length + 1] = static_cast<uint8_t>(port & 0xff);
  return length + 2;
}

}  // namespace

std::string ShardSpec::label() const {
  return std::to_string(index) + "-of-" + std::to_string(count);
}

std::optional<ShardSpec> parse_shard_spec(std::string_view text, std::string& error) {
  size_t slash = text.find('/');
  std::optional<uint32_t> index =
      slash == std::string_view::npos ? std::nullopt : parse_decimal(text.substr(0, slash));
  std::optional<uint32_t> count =
      slash == std::string_view::npos ? std::nullopt : parse_decimal(text.substr(slash + 1));
  if (!index || !count) {
    error = "--shard expects K/N with whole numbers 0 <= K < N (e.g. 0/4), got '" +
            std::string(text) + "'";
    return std::nullopt;
  }
  if (*count == 0 || *count > kMaxShards) {
    error = "--shard " + std::string(text) + ": N must be between 1 and " +
            std::to_string(kMaxShards);
    return std::nullopt;
  }
  if (*index >= *count) {
    error = "--shard " + std::string(text) + ": K must be below N (shards are numbered 0 to " +
            std::to_string(*count - 1) + ")";
    return std::nullopt;
  }
  return ShardSpec{*index, *count};
}

size_t canonical_key_bytes(const decode::IpAddress& a, uint16_t a_port,
                           const decode::IpAddress& b, uint16_t b_port, uint16_t vlan,
                           uint8_t (&out)[kMaxCanonicalKeyBytes]) {
  uint8_t first[18];
  uint8_t second[18];
  size_t length = endpoint_bytes(a, a_port, first);
  endpoint_bytes(b, b_port, second);
  bool a_low = std::memcmp(first, second, length) <= 0;
  out[0] = a.family == 6 ? 6 : 4;
  out[1] = static_cast<uint8_t>(vlan >> 8);
  out[2] = static_cast<uint8_t>(vlan & 0xff);
  std::memcpy(out + 3, a_low ? first : second, length);
  std::memcpy(out + 3 + length, a_low ? second : first, length);
  return 3 + 2 * length;
}

uint64_t shard_hash(const decode::IpAddress& a, uint16_t a_port, const decode::IpAddress& b,
                    uint16_t b_port, uint16_t vlan) {
  uint8_t bytes[kMaxCanonicalKeyBytes];
  size_t length = canonical_key_bytes(a, a_port, b, b_port, vlan, bytes);
  return siphash24(kShardKey, bytes, length);
}

uint64_t shard_hash(const FlowInfo& info) {
  return shard_hash(info.src, info.src_port, info.dst, info.dst_port, info.vlan);
}

}  // namespace tcpflow::flow
