// netviz's PNG writer: the file's chunks, and the filtered, deflated rows
// read back pixel for pixel.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "netviz/png_file.h"

namespace tcpflow::netviz {
namespace {

TEST(NetvizPng, WritesWhatItWasGiven) {
  // 3 x 2 pixels, rows padded to 16 bytes as cairo pads them.
  const uint32_t rows[2][4] = {{0x00FF0000, 0x0000FF00, 0x000000FF, 0},
                               {0x00FFFFFF, 0x00FFFFFF, 0x00102030, 0}};
  std::string path = ::testing::TempDir() + "netviz_png_test.png";
  ASSERT_EQ(write_png(path, reinterpret_cast<const uint8_t*>(rows), 3, 2, 16), "");
  std::ifstream in(path, std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(file.size(), 8u + 25 + 12);
  EXPECT_EQ(file.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(file.substr(12, 4), "IHDR");
  EXPECT_EQ(file.substr(16, 8), std::string("\0\0\0\3\0\0\0\2", 8));
  uint32_t idat_len = 0;
  for (int i = 0; i < 4; ++i) idat_len = idat_len << 8 | static_cast<uint8_t>(file[33 + i]);
  ASSERT_EQ(file.substr(37, 4), "IDAT");
  std::vector<uint8_t> raw(2 * (1 + 9));
  uLongf raw_size = raw.size();
  ASSERT_EQ(uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(file.data() + 41), idat_len), Z_OK);
  ASSERT_EQ(raw_size, raw.size());
  // Undo filter 1 (sub) and compare with the pixels.
  const uint8_t want[2][9] = {{255, 0, 0, 0, 255, 0, 0, 0, 255}, {255, 255, 255, 255, 255, 255, 0x10, 0x20, 0x30}};
  for (int y = 0; y < 2; ++y) {
    ASSERT_EQ(raw[y * 10], 1);
    for (int i = 0; i < 9; ++i) {
      uint8_t left = i >= 3 ? raw[y * 10 + 1 + i - 3] : 0;
      raw[y * 10 + 1 + i] = static_cast<uint8_t>(raw[y * 10 + 1 + i] + left);
      EXPECT_EQ(raw[y * 10 + 1 + i], want[y][i]) << y << "," << i;
    }
  }
  EXPECT_EQ(file.substr(file.size() - 8, 4), "IEND");
  std::remove(path.c_str());
  EXPECT_NE(write_png("/nonexistent/dir/x.png", reinterpret_cast<const uint8_t*>(rows), 3, 2, 16), "");
}

// Noise compresses badly: the compressed rows overrun write_png's 64 KiB
// output window many times over, and every pixel must still come back.
TEST(NetvizPng, ANoisyPageLargerThanTheWindowRoundTrips) {
  const int width = 600;
  const int height = 300;
  const int stride = 4 * width + 32;
  std::vector<uint8_t> pixels(static_cast<size_t>(stride) * height);
  uint32_t state = 12345;
  for (uint8_t& b : pixels) {
    state = state * 1103515245 + 12345;
    b = static_cast<uint8_t>(state >> 16);
  }
  std::string path = ::testing::TempDir() + "netviz_png_noise.png";
  ASSERT_EQ(write_png(path, pixels.data(), width, height, stride), "");
  std::ifstream in(path, std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  ASSERT_EQ(file.substr(37, 4), "IDAT");
  uint32_t idat_len = 0;
  for (int i = 0; i < 4; ++i) idat_len = idat_len << 8 | static_cast<uint8_t>(file[33 + i]);
  ASSERT_GT(idat_len, 4u * 64 * 1024);
  const size_t row_bytes = 1 + 3 * static_cast<size_t>(width);
  std::vector<uint8_t> raw(row_bytes * height);
  uLongf raw_size = raw.size();
  ASSERT_EQ(uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(file.data() + 41),
                       idat_len),
            Z_OK);
  ASSERT_EQ(raw_size, raw.size());
  for (int y = 0; y < height; ++y) {
    uint8_t* row = raw.data() + y * row_bytes;
    ASSERT_EQ(row[0], 1);
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        uint8_t left = x > 0 ? row[1 + 3 * (x - 1) + c] : 0;
        row[1 + 3 * x + c] = static_cast<uint8_t>(row[1 + 3 * x + c] + left);
        // cairo's RGB24 pixel: 0x00RRGGBB in host order.
        const uint8_t* p = pixels.data() + static_cast<size_t>(y) * stride + 4 * x;
        uint32_t v;
        std::memcpy(&v, p, 4);
        const uint8_t want = static_cast<uint8_t>(v >> (16 - 8 * c));
        ASSERT_EQ(row[1 + 3 * x + c], want) << y << "," << x << "," << c;
      }
    }
  }
  EXPECT_EQ(file.substr(file.size() - 8, 4), "IEND");
}

}  // namespace
}  // namespace tcpflow::netviz
