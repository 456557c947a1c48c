#include "flow/connection.h"

namespace tcpflow::flow {

void LazySink::write(uint64_t offset, ByteView data, Timestamp ts) {
  if (!opened_) {
    opened_ = true;
    real_ = handler_.open_stream(info_);
  }
  if (real_) real_->write(offset, data, ts);
  if (info_.write_times) info_.write_times->note(offset, data.size(), ts);
}

bool LazySink::read_back(uint64_t offset, uint8_t* out, size_t len) {
  return real_ ? real_->read_back(offset, out, len) : false;
}

bool LazySink::shift(uint64_t delta) {
  // Nothing written yet: there is nothing to move.
  if (!real_) return !opened_;
  if (!real_->shift(delta)) return false;
  if (info_.write_times) info_.write_times->shift(delta);
  return true;
}

}  // namespace tcpflow::flow
