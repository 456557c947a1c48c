// -w FILE: the packets tcpflow did not process (not TCP, malformed, of an
// unsupported link type), saved in a classic pcap file. The file always
// exists once an input was opened, as tcpdump and tcpflow 1.6.1 leave it:
// with no packet to save it is just the file header, for the link type and
// snap length of the first input read. With no input opened at all there
// is no link type to give it, and no file is written (the run fails anyway).
#pragma once
#include <memory>
#include <string>

#include "capture/packet_source.h"
#include "capture/pcap_writer.h"
#include "util/stats.h"

namespace tcpflow::app {

class UnprocessedPcap {
 public:
  UnprocessedPcap(std::string path, Stats& stats);
  ~UnprocessedPcap();
  UnprocessedPcap(const UnprocessedPcap&) = delete;
  UnprocessedPcap& operator=(const UnprocessedPcap&) = delete;

  // An input was opened and is about to be read.
  void note_input(int link_type, uint32_t snaplen);

  // Saves one record. The file takes the link type of the first record saved;
  // records of another link type are counted and left out. Returns false
  // only when the file could not be created (reported on stderr once).
  bool write(const capture::Record& record, uint32_t snaplen);

  // End of the run: creates the header-only file if nothing was saved, and
  // flushes. Returns false when the file could not be created.
  bool finish();
  bool failed() const { return failed_; }

 private:
  bool open(int link_type, uint32_t snaplen);

  std::string path_;
  Stats& stats_;
  std::unique_ptr<capture::PcapWriter> writer_;
  bool failed_ = false;
  bool have_input_ = false;
  int first_link_type_ = 0;
  uint32_t first_snaplen_ = 0;
};

}  // namespace tcpflow::app
