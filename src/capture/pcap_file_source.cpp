#include "capture/pcap_file_source.h"

#include <algorithm>
#include <utility>

#include "capture/byte_order.h"
#include "util/error.h"

namespace tcpflow::capture {
namespace {

// Magics as they read in the writer's byte order.
constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
constexpr uint32_t kMagicModified = 0xa1b2cd34;

constexpr size_t kFileHeaderLen = 24;
constexpr size_t kRecordHeaderLen = 16;
// The modified format adds ifindex (4), protocol (2), pkt_type (1), pad (1).
constexpr size_t kModifiedRecordHeaderLen = 24;
// libpcap's own ceiling for most link types; a file's snaplen may raise it.
constexpr uint32_t kDefaultMaxCaplen = 262144;
// Beyond this a caplen is corruption, whatever the header's snaplen says.
constexpr uint32_t kAbsoluteMaxCaplen = 256u << 20;
constexpr uint32_t kLinkTypeMask = 0xFFFF;  // upper bits carry FCS information
constexpr uint64_t kNanosPerSecond = 1000000000;

bool known_magic(uint32_t m) { return m == kMagicMicro || m == kMagicNano || m == kMagicModified; }

}  // namespace

bool PcapFileSource::is_magic(const uint8_t* first4) {
  return known_magic(load_u32(first4, false)) || known_magic(load_u32(first4, true));
}

PcapFileSource::PcapFileSource(InputStream&& in, const std::string& bpf)
    : FileSource(std::move(in), bpf) {
  if (!in_.ensure(kFileHeaderLen)) {
    if (in_.failed()) throw Error(in_.name() + ": " + in_.error());
    throw Error(in_.name() + ": truncated pcap file header (" + std::to_string(in_.available()) +
                " of 24 bytes)");
  }
  const uint8_t* h = in_.data();
  uint32_t magic = load_u32(h, false);
  swap_ = !known_magic(magic);
  magic = load_u32(h, swap_);
  nanosecond_ = magic == kMagicNano;
  record_header_len_ = magic == kMagicModified ? kModifiedRecordHeaderLen : kRecordHeaderLen;
  uint16_t major = load_u16(h + 4, swap_);
  uint16_t minor = load_u16(h + 6, swap_);
  if (major != 2) {
    throw Error(in_.name() + ": unsupported pcap version " + std::to_string(major) + "." +
                std::to_string(minor));
  }
  snaplen_ = load_u32(h + 16, swap_);
  link_type_ = static_cast<int>(load_u32(h + 20, swap_) & kLinkTypeMask);
  max_caplen_ = std::min(std::max(snaplen_, kDefaultMaxCaplen), kAbsoluteMaxCaplen);
  in_.consume(kFileHeaderLen);
  filter_.require(link_type_);
}

ReadStatus PcapFileSource::read_record(Record& out) {
  if (finished() != ReadStatus::kPacket) return finished();
  if (!in_.ensure(record_header_len_)) return input_ended(true);
  const uint8_t* h = in_.data();
  uint32_t sec = load_u32(h, swap_);
  uint32_t frac = load_u32(h + 4, swap_);
  uint32_t caplen = load_u32(h + 8, swap_);
  uint32_t wire_len = load_u32(h + 12, swap_);
  if (caplen > max_caplen_) {
    return fail("bad record: captured length " + std::to_string(caplen) +
                " exceeds the maximum of " + std::to_string(max_caplen_));
  }
  if (!in_.ensure(record_header_len_ + caplen)) return input_ended(false);

  // Corrupt fraction fields (>= one second) carry into the seconds rather
  // than producing an impossible nsec value.
  uint64_t nanos = nanosecond_ ? uint64_t{frac} : uint64_t{frac} * 1000;
  out.ts.sec = int64_t{sec} + static_cast<int64_t>(nanos / kNanosPerSecond);
  out.ts.nsec = static_cast<uint32_t>(nanos % kNanosPerSecond);
  out.caplen = caplen;
  out.wire_len = wire_len;
  out.link_type = link_type_;
  out.interface_id = 0;
  out.data = ByteView(in_.data() + record_header_len_, caplen);
  in_.consume(record_header_len_ + caplen);
  return ReadStatus::kPacket;
}

}  // namespace tcpflow::capture
