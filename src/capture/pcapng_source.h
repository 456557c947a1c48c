// Our own pcapng block reader. libpcap refuses files whose interfaces have
// different link types (Ethernet + Linux cooked from `dumpcap -i any`), so
// every record here carries its own interface's link type. Blocks are
// validated before any field is used; a malformed one ends the input with
// kError.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "capture/file_source.h"
#include "capture/link_type.h"
#include "capture/pcapng_interface.h"

namespace tcpflow::capture {

class PcapngSource : public FileSource {
 public:
  // The stream must be positioned at the first Section Header Block. Reads
  // ahead to the first packet so the first link type is known; throws
  // tcpflow::Error for a bad section header or a filter that does not compile.
  PcapngSource(InputStream&& in, const std::string& bpf);

  int primary_link_type() const override { return primary_link_type_; }
  uint32_t snaplen() const override { return primary_snaplen_; }

  static bool is_magic(const uint8_t* first4);

 protected:
  ReadStatus read_record(Record& out) override;

 private:
  ReadStatus read_block(Record& out);
  bool section_header(ByteView body, std::string& why);
  bool interface_description(ByteView body, std::string& why);
  bool enhanced_packet(ByteView body, Record& out, std::string& why);
  bool obsolete_packet(ByteView body, Record& out, std::string& why);
  bool simple_packet(ByteView body, Record& out, std::string& why);
  bool fill_record(uint32_t id, uint64_t raw_ts, uint32_t caplen, uint32_t wire_len,
                   ByteView data, Record& out, std::string& why);

  bool swap_ = false;
  uint64_t offset_ = 0;  // of the next block, for error messages
  bool seen_section_ = false;
  std::vector<PcapngInterface> interfaces_;
  // A file without interfaces has no records, so the default only matters
  // for callers that create an output file before reading.
  int primary_link_type_ = kLinkTypeEthernet;
  uint32_t primary_snaplen_ = 0;
  bool have_primary_ = false;

  // The record read ahead by the constructor, returned by the first next().
  Record primed_;
  ReadStatus primed_status_ = ReadStatus::kPacket;
  bool has_primed_ = false;
};

}  // namespace tcpflow::capture
