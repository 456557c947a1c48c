#include "capture/pcap_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "capture/byte_order.h"
#include "capture/link_type.h"
#include "util/error.h"

namespace tcpflow::capture {
namespace {

// Nanosecond magic, so timestamps from nanosecond sources survive intact.
constexpr uint32_t kMagicNano = 0xa1b23c4d;
constexpr uint16_t kVersionMajor = 2;
constexpr uint16_t kVersionMinor = 4;
// libpcap rejects records longer than the header's snaplen; records from a
// source with a small snaplen can still be this long after reassembly of a
// jumbo frame, so the header never claims less.
constexpr uint32_t kMinFileSnaplen = 262144;
constexpr size_t kStdioBuffer = size_t{1} << 20;
constexpr size_t kFileHeaderLen = 24;
constexpr size_t kRecordHeaderLen = 16;

}  // namespace

PcapWriter::PcapWriter(const std::string& path, int link_type, uint32_t snaplen)
    : link_type_(link_type),
      path_(path),
      snaplen_(std::max(snaplen, kMinFileSnaplen)),
      buffer_(new char[kStdioBuffer]),
      file_(std::fopen(path.c_str(), "wbe")) {
  if (!file_) throw Error(path_ + ": cannot create pcap file: " + std::strerror(errno));
  std::setvbuf(file_.get(), buffer_.get(), _IOFBF, kStdioBuffer);

  // Always little-endian, so output files are byte-identical across hosts.
  uint8_t header[kFileHeaderLen] = {};
  store_le32(header, kMagicNano);
  store_le16(header + 4, kVersionMajor);
  store_le16(header + 6, kVersionMinor);
  store_le32(header + 16, snaplen_);
  store_le32(header + 20, static_cast<uint32_t>(dlt_to_linktype(link_type)));
  if (std::fwrite(header, 1, sizeof header, file_.get()) != sizeof header)
    throw Error(path_ + ": cannot write pcap header: " + std::strerror(errno));
}

PcapWriter::~PcapWriter() = default;

bool PcapWriter::write(const Record& record) {
  if (failed_) return false;
  // Longer records would make the file unreadable by libpcap.
  uint32_t caplen = std::min({record.caplen, static_cast<uint32_t>(record.data.size()), snaplen_});
  uint8_t header[kRecordHeaderLen];
  store_le32(header, static_cast<uint32_t>(record.ts.sec));
  store_le32(header + 4, record.ts.nsec);
  store_le32(header + 8, caplen);
  store_le32(header + 12, record.wire_len);
  if (std::fwrite(header, 1, sizeof header, file_.get()) != sizeof header ||
      (caplen > 0 && std::fwrite(record.data.data(), 1, caplen, file_.get()) != caplen)) {
    failed_ = true;
  }
  return !failed_;
}

bool PcapWriter::flush() {
  if (!failed_ && std::fflush(file_.get()) != 0) failed_ = true;
  return !failed_;
}

}  // namespace tcpflow::capture
