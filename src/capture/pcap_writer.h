// Writes records to a classic pcap file (for -w and -K). RAII: the file is
// flushed and closed by the destructor.
#pragma once
#include <cstdio>
#include <memory>
#include <string>

#include "capture/packet_source.h"

namespace tcpflow::capture {

class PcapWriter {
 public:
  // Throws tcpflow::Error when the file cannot be created.
  PcapWriter(const std::string& path, int link_type, uint32_t snaplen);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  int link_type() const { return link_type_; }
  // Returns false on a write error (disk full); the caller reports it once.
  bool write(const Record& record);
  bool flush();

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };

  int link_type_;
  std::string path_;
  uint32_t snaplen_;  // as written in the file header
  bool failed_ = false;
  // Declared before file_ so the stdio buffer outlives the FILE using it.
  std::unique_ptr<char[]> buffer_;
  std::unique_ptr<std::FILE, FileCloser> file_;
};

}  // namespace tcpflow::capture
