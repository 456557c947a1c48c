// open_capture_file: picks the reader from the first four bytes, after zlib
// has undone any gzip compression. File names never decide the format: many
// ".pcap" files are really pcapng.
#include <cstdio>
#include <memory>
#include <string>

#include "capture/byte_order.h"
#include "capture/input_stream.h"
#include "capture/packet_source.h"
#include "capture/pcap_file_source.h"
#include "capture/pcapng_source.h"
#include "util/error.h"

namespace tcpflow::capture {
namespace {

constexpr size_t kMagicLen = 4;

std::string describe(const InputStream& in) {
  return in.compressed() ? std::string(" after ") + in.compression() + " decompression" : "";
}

}  // namespace

std::unique_ptr<PacketSource> open_capture_file(const std::string& path, const std::string& bpf,
                                                bool read_ahead) {
  InputStream in(path, read_ahead);
  if (!in.ensure(kMagicLen)) {
    if (in.failed()) throw Error(in.name() + ": " + in.error());
    if (in.gzip_truncated()) {
      throw Error(in.name() + ": truncated (the " + in.compression() +
                  " stream ends before its first block)");
    }
    if (in.available() == 0) {
      throw Error(in.name() + ": empty file" + describe(in) + " (not a pcap or pcapng capture)");
    }
    throw Error(in.name() + ": not a pcap or pcapng capture (only " +
                std::to_string(in.available()) + " bytes" + describe(in) + ")");
  }
  const uint8_t* magic = in.data();
  if (PcapFileSource::is_magic(magic)) return std::make_unique<PcapFileSource>(std::move(in), bpf);
  if (PcapngSource::is_magic(magic)) return std::make_unique<PcapngSource>(std::move(in), bpf);

  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", static_cast<unsigned>(load_u32(magic, kHostIsLittleEndian)));
  throw Error(in.name() + ": not a pcap or pcapng capture (unknown magic " + hex + describe(in) +
              ")");
}

}  // namespace tcpflow::capture
