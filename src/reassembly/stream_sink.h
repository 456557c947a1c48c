// Where one direction's reassembled bytes go: a flow file, the console, or
// nowhere (-FX). Whoever closes a sink needs only this interface.
#pragma once
#include <cstdint>
#include <string>

#include "util/byte_view.h"
#include "util/timestamp.h"

namespace tcpflow::reassembly {

// What a stream left behind once its sink closed.
struct StreamEnd {
  uint64_t size = 0;    // bytes the stream covers, holes included (console: printed)
  std::string path;     // the file holding them; empty when nothing lasting was kept
  bool failed = false;  // not every byte could be stored
  std::string error;    // why, when failed
  // Nonzero when the file is still being written by writer threads: it is
  // complete once the file writer has finished this job (the ticket rule in
  // output/file_writer.h).
  uint64_t pending_job = 0;
};

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
  // Returns false when the sink cannot move what it already emitted.
  virtual bool shift(uint64_t delta) = 0;

  // The stream is likely to stay quiet (its connection closed; `last_ts` is
  // its latest packet so far): write out anything buffered and give back
  // scarce resources (descriptor, buffer). Later writes must still work.
  virtual void quiesce(Timestamp /*last_ts*/) {}

  // The stream is complete: write out anything buffered, close, and stamp
  // the file with `last_ts` (the direction's latest packet). Nothing is
  // written after; a second call returns an empty StreamEnd. Only a sink
  // that keeps nothing (a test's) may leave this out.
  virtual StreamEnd close(Timestamp /*last_ts*/) { return StreamEnd{}; }
};

}  // namespace tcpflow::reassembly
