#include "app/unprocessed_pcap.h"

#include <cstdio>
#include <utility>

#include "util/error.h"

namespace tcpflow::app {

UnprocessedPcap::UnprocessedPcap(std::string path, Stats& stats)
    : path_(std::move(path)), stats_(stats) {}

UnprocessedPcap::~UnprocessedPcap() = default;

void UnprocessedPcap::note_input(int link_type, uint32_t snaplen) {
  if (have_input_) return;
  have_input_ = true;
  first_link_type_ = link_type;
  first_snaplen_ = snaplen;
}

bool UnprocessedPcap::open(int link_type, uint32_t snaplen) {
  if (writer_) return true;
  if (failed_) return false;
  try {
    writer_ = std::make_unique<capture::PcapWriter>(path_, link_type, snaplen);
  } catch (const Error& e) {
    std::fprintf(stderr, "tcpflow: %s; unprocessed packets are not saved\n", e.what());
    failed_ = true;
    return false;
  }
  return true;
}

bool UnprocessedPcap::write(const capture::Record& record, uint32_t snaplen) {
  if (!open(record.link_type, snaplen)) return !failed_;
  if (record.link_type != writer_->link_type()) {
    stats_.add(Counter::kUnprocessedLinkTypeMismatch);
    return true;
  }
  if (!writer_->write(record)) stats_.add(Counter::kWriteErrors);
  return true;
}

bool UnprocessedPcap::finish() {
  if (!writer_ && !failed_ && have_input_) open(first_link_type_, first_snaplen_);
  if (writer_ && !writer_->flush()) stats_.add(Counter::kWriteErrors);
  return !failed_;
}

}  // namespace tcpflow::app
