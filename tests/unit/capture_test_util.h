// Helpers for the capture tests: a temporary directory, a byte builder for
// hand-assembled capture files in either byte order, and small packets that
// BPF expressions can match.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "capture/packet_source.h"

namespace tcpflow::capture::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "capture_test.XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) ADD_FAILURE() << "mkdtemp failed";
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

using Bytes = std::vector<uint8_t>;

// Appends integers in a chosen byte order.
class Builder {
 public:
  explicit Builder(bool big_endian = false) : big_(big_endian) {}
  Builder& u8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  Builder& u16(uint16_t v) { return put(v, 2); }
  Builder& u32(uint32_t v) { return put(v, 4); }
  Builder& u64(uint64_t v) { return put(v, 8); }
  Builder& raw(const Bytes& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  Builder& pad4() {
    while (bytes_.size() % 4 != 0) bytes_.push_back(0);
    return *this;
  }
  const Bytes& bytes() const { return bytes_; }
  bool big() const { return big_; }

 private:
  Builder& put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      int shift = big_ ? 8 * (n - 1 - i) : 8 * i;
      bytes_.push_back(static_cast<uint8_t>(v >> shift));
    }
    return *this;
  }
  bool big_;
  Bytes bytes_;
};

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline void append(Bytes& to, const Bytes& more) { to.insert(to.end(), more.begin(), more.end()); }

inline void write_file(const std::string& path, const Bytes& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  if (!bytes.empty()) {
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
  }
  ASSERT_EQ(std::fclose(f), 0);
}

inline void write_gzip_file(const std::string& path, const Bytes& bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr) << path;
  ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
}

// A record copied out of the source (views die at the next call).
struct Got {
  int64_t sec;
  uint32_t nsec;
  uint32_t caplen;
  uint32_t wire_len;
  int link_type;
  uint32_t interface_id;
  Bytes data;
};

// Reads until the source stops; `last` receives the final status.
inline std::vector<Got> read_all(PacketSource& src, ReadStatus* last = nullptr) {
  std::vector<Got> out;
  Record r;
  ReadStatus s;
  while ((s = src.next(r)) == ReadStatus::kPacket) {
    EXPECT_EQ(r.caplen, r.data.size());
    out.push_back(Got{r.ts.sec, r.ts.nsec, r.caplen, r.wire_len, r.link_type, r.interface_id,
                      Bytes(r.data.begin(), r.data.end())});
  }
  if (last) *last = s;
  return out;
}

// IPv4 + TCP (or UDP) headers, 20 + 20 (8) bytes, addresses 10.0.0.1 -> 10.0.0.2.
inline Bytes ipv4_packet(bool tcp, uint16_t sport, uint16_t dport) {
  Builder b(true);
  uint16_t l4 = tcp ? 20 : 8;
  b.u8(0x45).u8(0).u16(static_cast<uint16_t>(20 + l4)).u16(1).u16(0).u8(64).u8(tcp ? 6 : 17).u16(0);
  b.u32(0x0a000001).u32(0x0a000002);
  b.u16(sport).u16(dport);
  if (tcp) {
    b.u32(1000).u32(0).u8(0x50).u8(0x02).u16(65535).u16(0).u16(0);
  } else {
    b.u16(8).u16(0);
  }
  return b.bytes();
}

inline Bytes ethernet_frame(const Bytes& ip) {
  Builder b(true);
  b.u32(0x02000000).u16(0x0001).u32(0x02000000).u16(0x0002).u16(0x0800).raw(ip);
  return b.bytes();
}

// Linux cooked capture (SLL) header: packet type, ARPHRD, address length,
// 8 address bytes, protocol.
inline Bytes sll_frame(const Bytes& ip) {
  Builder b(true);
  b.u16(0).u16(1).u16(6).u32(0x02000000).u32(0x00010000).u16(0x0800).raw(ip);
  return b.bytes();
}

constexpr int kLinkEthernet = 1;
constexpr int kLinkRaw = 101;
constexpr int kLinkLinuxSll = 113;

}  // namespace tcpflow::capture::test
