// -w FILE: the packets tcpflow did not process (not TCP, an unsupported
// link type) saved to a pcap file, created when the first one comes.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "capture/packet_source.h"
#include "capture/pcap_writer.h"
#include "util/stats.h"

namespace tcpflow::app {

class UnprocessedPcap {
 public:
  // `path` as it can be opened when the first packet comes (after -z).
  UnprocessedPcap(std::string path, Stats& stats);

  // A file that cannot be created is reported once on stderr; the packets
  // are then dropped and failed() is true. A packet of another link type
  // than the file's is counted, not written.
  void write(const capture::Record& record, uint32_t snaplen);
  void flush();
  bool failed() const { return failed_; }

 private:
  std::string path_;
  Stats& stats_;
  std::unique_ptr<capture::PcapWriter> writer_;
  bool failed_ = false;
};

}  // namespace tcpflow::app
