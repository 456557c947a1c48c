// Plain facts about one flow direction (one output file), shared by the
// output, report and scanner layers. No behaviour.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "decode/packet.h"
#include "decode/tunnel.h"
#include "flow/write_times.h"
#include "reassembly/reassembly_types.h"
#include "util/timestamp.h"

namespace tcpflow::flow {

enum class CloseReason : uint8_t {
  kOpen,        // not closed yet
  kFin,         // FIN seen and every byte before it arrived
  kRst,         // RST seen
  kTimeout,     // idle longer than tcp_timeout
  kEndOfInput,  // still open when the input ended
  kSeekJump,    // a sequence jump beyond -m started a new file
  kNewSyn,      // a new connection (new SYN) reused the 4-tuple
  kEvicted,     // the flow table was full and this flow was the oldest idle one
  kCapped,      // -b reached (the flow stays open, its file stops growing)
};

const char* close_reason_name(CloseReason reason);

// The name of one input (capture file or interface), shared by every flow it
// feeds: a flow holds a reference, not a copy, and the packet path compares
// pointers instead of strings.
using InputName = std::shared_ptr<const std::string>;

// The inputs that contributed packets to a flow, in order; almost always one,
// which is kept without allocating.
class InputFiles {
 public:
  InputFiles() = default;
  InputFiles(std::initializer_list<std::string> names);  // for tests

  // Records `name` unless it is the latest input already.
  void note(const InputName& name) {
    if (name == nullptr || name == latest()) return;
    note_other(name);
  }
  bool empty() const { return first_ == nullptr; }
  size_t size() const { return first_ == nullptr ? 0 : 1 + later_.size(); }
  const std::string& operator[](size_t i) const { return i == 0 ? *first_ : *later_[i - 1]; }
  std::vector<std::string> names() const;

 private:
  const InputName& latest() const { return later_.empty() ? first_ : later_.back(); }
  void note_other(const InputName& name);

  InputName first_;
  std::vector<InputName> later_;
};

struct FlowInfo {
  // Identity.
  decode::IpAddress src;
  decode::IpAddress dst;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t vlan = decode::kNoVlan;
  bool has_macs = false;
  decode::MacAddress src_mac{};
  decode::MacAddress dst_mac{};
  // The report lists write_times entry by entry (--proxy: the time of each
  // read beside the data, which stays clean). (Here, where it costs no room.)
  bool list_write_times = false;
  // The encapsulations this direction's first packet crossed, outermost
  // first; empty when it was not tunnelled (no allocation then).
  std::vector<decode::TunnelLayer> tunnels;

  uint64_t connection_id = 0;   // the same for both directions of a connection, from 1
  uint64_t flow_id = 0;         // this direction's file, from 0, in creation order (%N/%K/%M/%G)
  uint32_t connection_count = 0;  // tcpflow's %c: earlier files with the same base name
  bool is_client = false;       // direction of the connection's opener (SYN without ACK)
  bool direction_known = false;
  CloseReason close_reason = CloseReason::kOpen;  // (with the output facts below)
  bool write_failed = false;

  // Activity.
  Timestamp first_ts;
  Timestamp last_ts;
  uint64_t packets = 0;
  uint64_t first_packet_number = 0;  // 1-based, counted over all inputs
  uint64_t last_packet_number = 0;
  InputFiles input_files;  // inputs that contributed packets

  // Output.
  std::string filename;        // relative to the output directory; empty if no file
  uint64_t file_size = 0;      // bytes in the file (holes included)
  // --compress: the codec ("gzip", "zstd", "bzip2": static text) and the
  // compressed file's size; file_size stays the original length. Empty when
  // not compressed.
  std::string_view compression;
  uint64_t compressed_size = 0;
  std::string write_error;
  // The file's MD5 as its writer took it, writing it in order (-e md5 with
  // writer threads); empty when not known, and the md5 scanner reads the file.
  std::string written_md5;

  // Reassembly facts: gaps, conflicts, duplicates, bad checksums.
  reassembly::ReassemblyStats reassembly;

  // Packet time of each delivered byte, when FlowTableConfig::record_write_times
  // (the http scanner); shared by copies of this struct, sealed at close.
  std::shared_ptr<WriteTimes> write_times;
};

}  // namespace tcpflow::flow
