// Writes an image as a PNG file with zlib directly: cairo's own PNG output
// (libpng, adaptive filters, default compression) cost more than the rest
// of the page; a mostly white page needs neither.
#pragma once
#include <cstdint>
#include <string>

namespace tcpflow::netviz {

// `pixels`: `height` rows of `stride` bytes, each pixel a native-endian
// 32-bit 0xXXRRGGBB (cairo's RGB24). Returns "" or what went wrong.
std::string write_png(const std::string& path, const uint8_t* pixels, int width, int height,
                      int stride);

}  // namespace tcpflow::netviz
