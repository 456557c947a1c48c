// Classic pcap files, read by our own code rather than libpcap's so that
// gzip input, truncation and nanosecond timestamps behave exactly like the
// pcapng reader. Handles microsecond and nanosecond magics in either byte
// order and the "modified" (Kuznetzov) format with its longer record header.
#pragma once
#include <cstdint>
#include <string>

#include "capture/file_source.h"

namespace tcpflow::capture {

class PcapFileSource : public FileSource {
 public:
  // The stream must be positioned at the file header. Throws tcpflow::Error
  // for a short or unusable header or a filter that does not compile.
  PcapFileSource(InputStream&& in, const std::string& bpf);

  int primary_link_type() const override { return link_type_; }
  uint32_t snaplen() const override { return snaplen_; }

  // Recognizes the four bytes at the start of a classic pcap file.
  static bool is_magic(const uint8_t* first4);

 protected:
  ReadStatus read_record(Record& out) override;

 private:
  bool swap_ = false;
  bool nanosecond_ = false;
  size_t record_header_len_ = 16;
  int link_type_ = 0;
  uint32_t snaplen_ = 0;
  uint32_t max_caplen_ = 0;
};

}  // namespace tcpflow::capture
