// How the console (-c/-C instead of flow files) prints. Plain data, part of Config.
#pragma once
#include <string>

namespace tcpflow::output {

struct ConsoleOptions {
  bool header = true;          // -c prints "label: " before each chunk; -C does not
  bool binary = false;         // -B: bytes as they are
  bool hexdump = false;        // -D
  bool newline = true;         // -0 clears: no newline after each chunk
  bool color = false;          // -g: only when printing to a terminal...
  bool force_color = false;    // ...unless -S force_color=YES
  bool json = false;           // -J
  std::string semaphore_name;  // -L
};

}  // namespace tcpflow::output
