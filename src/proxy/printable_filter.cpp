#include "proxy/printable_filter.h"

namespace tcpflow::proxy {

namespace {
bool kept(uint8_t byte) {
  return byte == '\r' || byte == '\n' || byte == ' ' || byte == '\t' || (byte > 0x20 && byte < 0x7f);
}
}  // namespace

void PrintableFilter::filter(ByteView in, std::vector<uint8_t>& out) {
  out.clear();
  for (uint8_t byte : in) {
    if (kept(byte)) {
      out.push_back(byte);
      in_run_ = false;
    } else if (!in_run_) {
      out.push_back(' ');
      in_run_ = true;
    }
  }
}

}  // namespace tcpflow::proxy
