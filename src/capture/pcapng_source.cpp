#include "capture/pcapng_source.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "capture/byte_order.h"
#include "capture/link_type.h"
#include "util/error.h"

namespace tcpflow::capture {
namespace {

constexpr uint8_t kShbTypeBytes[4] = {0x0a, 0x0d, 0x0d, 0x0a};  // same in both byte orders
constexpr uint32_t kByteOrderMagic = 0x1a2b3c4d;

constexpr uint32_t kBlockShb = 0x0a0d0d0a;
constexpr uint32_t kBlockIdb = 1;
constexpr uint32_t kBlockPacket = 2;  // obsolete Packet Block
constexpr uint32_t kBlockSpb = 3;
constexpr uint32_t kBlockEpb = 6;

constexpr size_t kBlockHeaderLen = 8;   // type, total length
constexpr size_t kBlockOverhead = 12;   // plus the trailing length
constexpr size_t kShbPrefixLen = 12;    // type, length, byte-order magic
constexpr size_t kShbBodyMin = 16;      // magic, versions, section length
constexpr size_t kEpbFixedLen = 20;     // interface, ts high/low, caplen, len
constexpr size_t kPacketBlockFixedLen = 20;
constexpr size_t kSpbFixedLen = 4;
constexpr uint16_t kSupportedMajor = 1;
// Real blocks are far smaller; anything larger is corruption, and refusing
// it bounds how much a hostile length field can make us buffer.
constexpr uint32_t kMaxBlockLen = 256u << 20;
constexpr size_t kMaxInterfaces = size_t{1} << 20;

}  // namespace

bool PcapngSource::is_magic(const uint8_t* first4) {
  return std::memcmp(first4, kShbTypeBytes, sizeof kShbTypeBytes) == 0;
}

PcapngSource::PcapngSource(InputStream&& in, const std::string& bpf)
    : FileSource(std::move(in), bpf) {
  primed_status_ = read_block(primed_);
  has_primed_ = true;
  if (!seen_section_) {
    throw Error(in_.name() + ": bad pcapng section header: " +
                (error().empty() ? std::string("file ends inside it") : error()));
  }
  // Check the expression now, so a typo fails at startup and not at the
  // first packet; without an interface, Ethernet stands in.
  filter_.require_some(have_primary_ ? primary_link_type_ : kLinkTypeEthernet);
}

ReadStatus PcapngSource::read_record(Record& out) {
  if (has_primed_) {
    has_primed_ = false;
    out = primed_;
    return primed_status_;
  }
  if (finished() != ReadStatus::kPacket) return finished();
  return read_block(out);
}

ReadStatus PcapngSource::read_block(Record& out) {
  std::string why;
  for (;;) {
    if (!in_.ensure(kBlockHeaderLen)) return input_ended(true);
    if (is_magic(in_.data())) {
      // The byte order of everything up to the next section header,
      // including this block's own length, comes from its magic.
      if (!in_.ensure(kShbPrefixLen)) return input_ended(false);
      uint32_t bom = load_u32(in_.data() + kBlockHeaderLen, false);
      if (bom != kByteOrderMagic && bom != __builtin_bswap32(kByteOrderMagic))
        return fail("bad section header byte-order magic");
      swap_ = bom != kByteOrderMagic;
    } else if (!seen_section_) {
      return fail("file does not start with a section header block");
    }
    uint32_t type = load_u32(in_.data(), swap_);
    uint32_t length = load_u32(in_.data() + 4, swap_);
    if (length < kBlockOverhead || length % 4 != 0 || length > kMaxBlockLen ||
        (type == kBlockShb && length < kBlockOverhead + kShbBodyMin)) {
      return fail("malformed pcapng block at offset " + std::to_string(offset_) +
                  ": bad block length " + std::to_string(length));
    }
    if (!in_.ensure(length)) return input_ended(false);
    const uint8_t* block = in_.data();
    if (load_u32(block + length - 4, swap_) != length) {
      return fail("malformed pcapng block at offset " + std::to_string(offset_) +
                  ": trailing length does not match " + std::to_string(length));
    }
    ByteView body(block + kBlockHeaderLen, length - kBlockOverhead);
    uint64_t block_offset = offset_;
    in_.consume(length);
    offset_ += length;

    bool ok = true;
    bool packet = false;
    switch (type) {
      case kBlockShb: ok = section_header(body, why); break;
      case kBlockIdb: ok = interface_description(body, why); break;
      case kBlockEpb: ok = packet = enhanced_packet(body, out, why); break;
      case kBlockPacket: ok = packet = obsolete_packet(body, out, why); break;
      case kBlockSpb: ok = packet = simple_packet(body, out, why); break;
      default: break;  // statistics, name resolution, custom...: not needed
    }
    if (!ok) {
      return fail("malformed pcapng block at offset " + std::to_string(block_offset) + ": " + why);
    }
    if (packet) return ReadStatus::kPacket;
  }
}

bool PcapngSource::section_header(ByteView body, std::string& why) {
  uint16_t major = load_u16(body.data() + 4, swap_);
  if (major != kSupportedMajor) {
    why = "unsupported pcapng version " + std::to_string(major) + "." +
          std::to_string(load_u16(body.data() + 6, swap_));
    return false;
  }
  // Interface ids are numbered per section.
  interfaces_.clear();
  seen_section_ = true;
  return true;
}

bool PcapngSource::interface_description(ByteView body, std::string& why) {
  if (interfaces_.size() >= kMaxInterfaces) {
    why = "more than " + std::to_string(kMaxInterfaces) + " interfaces";
    return false;
  }
  PcapngInterface iface;
  if (!iface.parse(body, swap_, why)) return false;
  if (!have_primary_) {
    have_primary_ = true;
    primary_link_type_ = iface.link_type();
    primary_snaplen_ = iface.snaplen();
  }
  interfaces_.push_back(iface);
  return true;
}

bool PcapngSource::fill_record(uint32_t id, uint64_t raw_ts, uint32_t caplen, uint32_t wire_len,
                               ByteView data, Record& out, std::string& why) {
  if (id >= interfaces_.size()) {
    why = "packet for undefined interface " + std::to_string(id);
    return false;
  }
  if (caplen > data.size()) {
    why = "captured length " + std::to_string(caplen) + " exceeds the block";
    return false;
  }
  const PcapngInterface& iface = interfaces_[id];
  out.ts = iface.to_timestamp(raw_ts);
  out.caplen = caplen;
  out.wire_len = wire_len;
  out.link_type = iface.link_type();
  out.interface_id = id;
  out.data = data.first(caplen);
  return true;
}

bool PcapngSource::enhanced_packet(ByteView body, Record& out, std::string& why) {
  if (body.size() < kEpbFixedLen) {
    why = "enhanced packet block too short";
    return false;
  }
  const uint8_t* p = body.data();
  uint64_t ts = (uint64_t{load_u32(p + 4, swap_)} << 32) | load_u32(p + 8, swap_);
  return fill_record(load_u32(p, swap_), ts, load_u32(p + 12, swap_), load_u32(p + 16, swap_),
                     body.subview(kEpbFixedLen), out, why);
}

bool PcapngSource::obsolete_packet(ByteView body, Record& out, std::string& why) {
  if (body.size() < kPacketBlockFixedLen) {
    why = "packet block too short";
    return false;
  }
  const uint8_t* p = body.data();
  uint64_t ts = (uint64_t{load_u32(p + 4, swap_)} << 32) | load_u32(p + 8, swap_);
  return fill_record(load_u16(p, swap_), ts, load_u32(p + 12, swap_), load_u32(p + 16, swap_),
                     body.subview(kPacketBlockFixedLen), out, why);
}

bool PcapngSource::simple_packet(ByteView body, Record& out, std::string& why) {
  if (body.size() < kSpbFixedLen) {
    why = "simple packet block too short";
    return false;
  }
  if (interfaces_.empty()) {
    why = "simple packet block before any interface";
    return false;
  }
  // No captured length field: the packet is whatever fits, cut to the
  // original length and interface 0's snaplen.
  uint32_t wire_len = load_u32(body.data(), swap_);
  ByteView data = body.subview(kSpbFixedLen);
  size_t caplen = std::min<size_t>(wire_len, data.size());
  if (interfaces_[0].snaplen() != 0) caplen = std::min<size_t>(caplen, interfaces_[0].snaplen());
  if (!fill_record(0, 0, static_cast<uint32_t>(caplen), wire_len, data, out, why)) return false;
  out.ts = Timestamp{};
  return true;
}

}  // namespace tcpflow::capture
