#include "app/connection_pcaps.h"

#include <algorithm>

#include "app/process_attribution.h"

namespace tcpflow::app {

namespace {

constexpr uint32_t kNanosecondMagic = 0xa1b23c4d;
constexpr uint32_t kFileSnaplen = 262144;

void put_le32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

// pcap stores LINKTYPE_ values; libpcap hands out DLT_ values that differ for a few.
uint32_t to_linktype(int dlt) {
  switch (dlt) {
    case 12: return 101;   // DLT_RAW
    case 14: return 101;   // DLT_RAW on OpenBSD
    default: return static_cast<uint32_t>(dlt);
  }
}

}  // namespace

ConnectionPcaps::ConnectionPcaps(output::FileNamer& namer, output::FdCache& fd_cache,
                                 output::WriteBuffers& buffers, Stats& stats)
    : namer_(namer), writer_(fd_cache), buffers_(buffers), stats_(stats) {}

ConnectionPcaps::~ConnectionPcaps() { close_all(); }

void ConnectionPcaps::write(const flow::FlowInfo& direction, const capture::Record& record) {
  auto [it, created] = files_.try_emplace(direction.connection_id);
  File& file = it->second;
  if (created) {
    flow::FlowInfo naming = direction;
    const flow::ProcessInfo* local =
        attribution_ && namer_.names_processes() ? attribution_->process_of_connection(direction)
                                                 : nullptr;
    std::string path = namer_.assign(naming, local) + ".pcap";
    if (!filter_.keeps(direction)) return;
    file.sink = std::make_unique<output::FlowFileSink>(writer_, buffers_, path, false, stats_);
    file.link_type = record.link_type;
    uint8_t header[24] = {};
    put_le32(header, kNanosecondMagic);
    header[4] = 2;  // version 2.4
    header[6] = 4;
    put_le32(header + 16, kFileSnaplen);
    put_le32(header + 20, to_linktype(record.link_type));
    file.sink->write(0, ByteView(header, sizeof header), record.ts);
    file.size = sizeof header;
  }
  if (!file.sink) return;
  if (record.link_type != file.link_type) {
    // One pcap holds one link type; a connection seen on two interfaces of
    // different types keeps the first.
    stats_.add(Counter::kUnprocessedLinkTypeMismatch);
    return;
  }
  uint32_t caplen = std::min<uint32_t>(static_cast<uint32_t>(record.data.size()), kFileSnaplen);
  uint8_t header[16];
  put_le32(header, static_cast<uint32_t>(record.ts.sec));
  put_le32(header + 4, record.ts.nsec);
  put_le32(header + 8, caplen);
  put_le32(header + 12, record.wire_len);
  file.sink->write(file.size, ByteView(header, sizeof header), record.ts);
  file.sink->write(file.size + sizeof header, record.data.first(caplen), record.ts);
  file.size += sizeof header + caplen;
  file.last_ts = record.ts;
}

void ConnectionPcaps::close(uint64_t connection_id) {
  auto it = files_.find(connection_id);
  if (it == files_.end()) return;
  if (it->second.sink) it->second.sink->close(it->second.last_ts);
  files_.erase(it);
}

void ConnectionPcaps::close_all() {
  for (auto& [id, file] : files_) {
    if (file.sink) file.sink->close(file.last_ts);
  }
  files_.clear();
}

}  // namespace tcpflow::app
