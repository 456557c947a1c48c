#pragma once

// Whether the CPU runs AVX2 code. The vector paths (the checksum, the MD5
// lanes) are compiled for AVX2 through target attributes, whatever the
// build's -march, and chosen at run time with this.

namespace tcpflow {

inline bool cpu_has_avx2() {
#if defined(__x86_64__)
  static const bool supported = __builtin_cpu_supports("avx2");
  return supported;
#else
  return false;
#endif
}

}  // namespace tcpflow
