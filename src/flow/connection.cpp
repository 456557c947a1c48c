#include "flow/connection.h"

namespace tcpflow::flow {

void LazySink::write(uint64_t offset, ByteView data, Timestamp ts) {
  if (!opened_) {
    opened_ = true;
    real_ = handler_.open_stream(info_);
  }
  if (real_) real_->write(offset, data, ts);
}

bool LazySink::read_back(uint64_t offset, uint8_t* out, size_t len) {
  return real_ ? real_->read_back(offset, out, len) : false;
}

bool LazySink::shift(uint64_t delta) {
  // Nothing written yet: there is nothing to move.
  return real_ ? real_->shift(delta) : !opened_;
}

}  // namespace tcpflow::flow
