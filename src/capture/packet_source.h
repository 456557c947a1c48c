// Where packets come from: capture files, read by our own readers (classic
// pcap in pcap_file_source, pcapng in pcapng_source so interfaces may differ
// in link type; either may be gzip-compressed), and live interfaces through
// libpcap. libpcap also compiles the BPF filter for files (bpf_filter).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "util/byte_view.h"
#include "util/timestamp.h"

namespace tcpflow::capture {

struct Record {
  Timestamp ts;
  uint32_t caplen = 0;      // bytes captured (data.size())
  uint32_t wire_len = 0;    // bytes on the wire
  int link_type = 0;        // LINKTYPE_*/DLT_* of the record's interface
  uint32_t interface_id = 0;
  ByteView data;            // valid until the next call to next()
};

enum class ReadStatus : uint8_t {
  kPacket,   // `out` holds a record that passed the BPF filter
  kTimeout,  // live capture: nothing arrived within the buffer timeout
  kEnd,      // end of input
  kError,    // read error or truncated file: see error(); no more records
};

// How far a capture file has been read, for progress lines.
struct InputPosition {
  uint64_t consumed = 0;  // bytes taken from the file (compressed bytes for .gz)
  uint64_t total = 0;     // the file's size; 0 when unknown (a pipe, standard input)
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  virtual ReadStatus next(Record& out) = 0;
  // Why the last next() returned kError ("truncated inside a record", ...).
  virtual const std::string& error() const = 0;
  // True when the input ended inside a record (after some records were read).
  virtual bool truncated() const = 0;
  // Link type of the first interface (for -w/-K files when records differ).
  virtual int primary_link_type() const = 0;
  virtual uint32_t snaplen() const = 0;
  // Live capture: makes a blocked next() return soon (signal-safe).
  virtual void interrupt() {}
  // Capture files: how far reading has got (a system call; not per packet).
  virtual InputPosition position() const { return {}; }
};

// Opens a capture file ("-" is standard input). Detects pcap/pcapng/gzip by
// magic number, never by extension. Throws tcpflow::Error naming the file and
// the reason when it cannot be opened or is not a capture. An empty `bpf`
// means no filter; a bad expression throws.
// read_ahead: read and decompress gzip files on a second thread (-j 2+).
std::unique_ptr<PacketSource> open_capture_file(const std::string& path, const std::string& bpf,
                                                bool read_ahead = false);

// open_live_capture() is declared in capture/live_source.h.

}  // namespace tcpflow::capture
