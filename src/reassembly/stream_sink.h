// Where one direction's reassembled bytes go (flow file, console, scanner).
#pragma once
#include <cstdint>

#include "util/byte_view.h"
#include "util/timestamp.h"

namespace tcpflow::reassembly {

class StreamSink {
 public:
  virtual ~StreamSink() = default;

  // Stores `data` at stream `offset`. Called in offset order, except when the
  // memory budget forces an out-of-order block out early and in finish().
  virtual void write(uint64_t offset, ByteView data, Timestamp ts) = 0;

  // Copies bytes written earlier at [offset, offset+len) into `out`, so a later
  // copy of the same bytes can be compared. Returns false when the sink cannot
  // (console) or the range was never stored; the caller then skips the check.
  virtual bool read_back(uint64_t offset, uint8_t* out, size_t len) = 0;

  // The stream start moved `delta` bytes earlier (a SYN-less flow saw a lower
  // sequence number): everything written so far moves `delta` bytes later.
  // Returns false when the sink cannot move what it already emitted. Rare:
  // such a flow's first bytes are held back for a short window, so only a
  // lower segment arriving after it triggers this (midstream_hold.h).
  virtual bool shift(uint64_t delta) = 0;

  // The stream is likely to stay quiet (its connection closed; `last_ts` is
  // its latest packet so far): write out anything buffered and give back
  // scarce resources (descriptor, buffer). Later writes must still work.
  virtual void quiesce(Timestamp /*last_ts*/) {}
};

}  // namespace tcpflow::reassembly
