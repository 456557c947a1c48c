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
#include <string>

#include "capture/packet_source.h"

namespace tcpflow::capture {

class LiveSource : public PacketSource {
 public:
  // Throws tcpflow::Error with libpcap's reason and the interface name.
  LiveSource(const std::string& interface, bool promiscuous, int buffer_timeout_ms,
             const std::string& bpf);

  ReadStatus next(Record& out) override;
  const std::string& error() const override { return error_; }
  bool truncated() const override { return false; }
  int primary_link_type() const override { return link_type_; }
  uint32_t snaplen() const override { return snaplen_; }
  // Async-signal-safe: a flag, pcap_breakloop and a write() to the pipe.
  void interrupt() override;

  const std::string& interface_name() const { return interface_; }

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

  void activate(bool promiscuous);
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
  uint32_t snaplen_ = 0;
  bool nanosecond_ = false;
  std::string error_;
};

}  // namespace tcpflow::capture
