// Classic pcap (microsecond, host byte order, LINKTYPE_ETHERNET) written
// through one large buffer, plus the frame builders the generator needs:
// Ethernet/IPv4/TCP (with MSS/SACK/TS/WS options on SYNs and the timestamp
// option elsewhere, as Linux sends them), Ethernet/IPv4/UDP and ARP.
// All checksums are computed.
#ifndef TCPFLOW_TESTS_BENCH_PCAP_OUT_H
#define TCPFLOW_TESTS_BENCH_PCAP_OUT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench {

class PcapOut {
 public:
  explicit PcapOut(const std::string& path);  // throws std::runtime_error
  ~PcapOut();
  PcapOut(const PcapOut&) = delete;
  PcapOut& operator=(const PcapOut&) = delete;

  // Appends a record header; returns where the frame's `len` bytes go.
  uint8_t* record(uint64_t ts_ns, uint32_t len);
  void close();  // flushes; throws on write error
  uint64_t bytes() const { return bytes_; }
  uint64_t packets() const { return packets_; }

 private:
  void flush();

  int fd_ = -1;
  std::vector<uint8_t> buf_;
  size_t used_ = 0;
  uint64_t bytes_ = 0;
  uint64_t packets_ = 0;
};

namespace tcpf {
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

struct TcpHeaderFields {
  uint32_t src_ip, dst_ip;  // host order
  uint16_t src_port, dst_port;
  uint32_t seq, ack;
  uint8_t flags;
  uint16_t ip_id;
  uint32_t tsval, tsecr;
};

// Frame sizes for a TCP packet carrying `payload` bytes.
size_t tcp_frame_len(bool syn, size_t payload);
size_t tcp_payload_offset(bool syn);

// Writes Ethernet/IPv4/TCP headers into `frame` (sized by tcp_frame_len) and
// computes the checksums over the payload already at tcp_payload_offset().
void build_tcp(uint8_t* frame, const TcpHeaderFields& h, size_t payload);

size_t udp_frame_len(size_t payload);
size_t udp_payload_offset();
void build_udp(uint8_t* frame, uint32_t src_ip, uint32_t dst_ip, uint16_t sport,
               uint16_t dport, uint16_t ip_id, size_t payload);

constexpr size_t kArpFrameLen = 42;
void build_arp(uint8_t* frame, uint32_t sender_ip, uint32_t target_ip);

}  // namespace bench

#endif
