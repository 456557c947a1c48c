#include "app/unprocessed_pcap.h"

#include <cstdio>

#include "util/error.h"

namespace tcpflow::app {

UnprocessedPcap::UnprocessedPcap(std::string path, Stats& stats)
    : path_(std::move(path)), stats_(stats) {}

void UnprocessedPcap::write(const capture::Record& record, uint32_t snaplen) {
  if (failed_) return;
  if (!writer_) {
    try {
      writer_ = std::make_unique<capture::PcapWriter>(path_, record.link_type, snaplen);
    } catch (const Error& e) {
      std::fprintf(stderr, "tcpflow: %s; unprocessed packets are not saved\n", e.what());
      failed_ = true;
      return;
    }
  }
  if (record.link_type != writer_->link_type()) {
    stats_.add(Counter::kUnprocessedLinkTypeMismatch);
    return;
  }
  if (!writer_->write(record)) stats_.add(Counter::kWriteErrors);
}

void UnprocessedPcap::flush() {
  if (writer_) writer_->flush();
}

}  // namespace tcpflow::app
