// Live capture from an interface through pcap_create/pcap_activate. The
// kernel applies the BPF filter (pcap_setfilter), so nothing is filtered here.
//
// libpcap's read timeout does not fire on Linux (TPACKET_V3) while no packet
// arrives at all, so the handle is put in non-blocking mode and next() waits
// in its own poll() with the buffer timeout, alongside a self-pipe that
// interrupt() writes to.
#pragma once
#include <pcap/pcap.h>

#include <csignal>
#include <memory>
#include <optional>
#include <string>

#include "capture/packet_source.h"

namespace tcpflow::capture {

// pcap_stats since the capture was opened (libpcap keeps the totals).
struct CaptureStats {
  uint64_t received = 0;              // packets that passed the filter
  uint64_t dropped_by_kernel = 0;     // no room in the kernel's buffer
  uint64_t dropped_by_interface = 0;  // dropped by the network interface or its driver
};

class LiveSource : public PacketSource {
 public:
  // Throws tcpflow::Error with libpcap's reason and the interface name.
  LiveSource(const std::string& interface, bool promiscuous, int buffer_timeout_ms,
             const std::string& bpf, size_t buffer_bytes = 0);

  ReadStatus next(Record& out) override;
  const std::string& error() const override { return error_; }
  bool truncated() const override { return false; }
  int primary_link_type() const override { return link_type_; }
  uint32_t snaplen() const override { return snaplen_; }
  // Async-signal-safe: a flag, pcap_breakloop and a write() to the pipe.
  void interrupt() override;

  const std::string& interface_name() const { return interface_; }
  // The link type as tcpdump names it: "EN10MB" and "Ethernet".
  std::string link_type_name() const;
  std::string link_type_description() const;
  // pcap_stats; std::nullopt when libpcap cannot tell (a system call: at
  // most once a second).
  std::optional<CaptureStats> stats();

 private:
  struct PcapCloser {
    void operator()(pcap_t* p) const { pcap_close(p); }
  };

  // Owns one file descriptor.
  class Fd {
   public:
    Fd() = default;
    ~Fd() { reset(-1); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    void reset(int fd);
    int get() const { return fd_; }

   private:
    int fd_ = -1;
  };

  void activate(bool promiscuous, size_t buffer_bytes);
  void set_filter(const std::string& bpf);
  void set_up_waiting();
  // Waits for the capture fd or interrupt(). True when the capture fd is
  // readable.
  bool wait_for_packets();

  std::string interface_;
  int timeout_ms_;
  std::unique_ptr<pcap_t, PcapCloser> pcap_;
  int selectable_fd_ = -1;  // owned by pcap_; -1: blocking reads instead
  Fd wake_read_;
  Fd wake_write_;
  volatile std::sig_atomic_t interrupted_ = 0;
  int link_type_ = 0;
  int dlt_ = 0;  // pcap_datalink(): the DLT_ value libpcap names
  uint32_t snaplen_ = 0;
  bool nanosecond_ = false;
  std::string error_;
};

// Opens a live interface (empty: libpcap's default device). Throws on failure
// with libpcap's reason (no such device, permission denied).
// `buffer_bytes`: the kernel's capture buffer (--buffer-size; 0 means
// kDefaultCaptureBufferBytes).
constexpr size_t kDefaultCaptureBufferBytes = size_t{32} << 20;
std::unique_ptr<LiveSource> open_live_capture(const std::string& interface, bool promiscuous,
                                              int buffer_timeout_ms, const std::string& bpf,
                                              size_t buffer_bytes = 0);

}  // namespace tcpflow::capture
