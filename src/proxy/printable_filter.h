// -S printable_only=YES: what the proxy records of a direction keeps CR, LF,
// blanks (space, tab) and graphic ASCII; each run of other bytes becomes one
// space. A run may span reads, so the filter remembers where it stopped.
#pragma once
#include <cstdint>
#include <vector>

#include "util/byte_view.h"

namespace tcpflow::proxy {

class PrintableFilter {
 public:
  // Appends the filtered form of `in` to `out` (cleared first).
  void filter(ByteView in, std::vector<uint8_t>& out);

 private:
  bool in_run_ = false;
};

}  // namespace tcpflow::proxy
