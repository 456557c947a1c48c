#include "capture/live_source.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "capture/bpf_filter.h"
#include "capture/link_type.h"
#include "util/error.h"

namespace tcpflow::capture {
namespace {

constexpr int kLiveSnaplen = 262144;
// The caller relies on regular kTimeout returns for idle housekeeping.
constexpr int kDefaultTimeoutMs = 1000;

struct DeviceListFree {
  void operator()(pcap_if_t* list) const { pcap_freealldevs(list); }
};

std::string first_device() {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_if_t* raw = nullptr;
  if (pcap_findalldevs(&raw, errbuf) != 0)
    throw Error(std::string("cannot list capture devices: ") + errbuf);
  std::unique_ptr<pcap_if_t, DeviceListFree> list(raw);
  if (!list || !list->name) throw Error("no capture device found (try -i with an interface name)");
  return list->name;
}

// Text for a pcap_activate status: the handle's message when libpcap left
// one, otherwise the generic description of the code.
std::string activate_reason(pcap_t* p, int status) {
  std::string text = pcap_geterr(p);
  std::string generic = pcap_statustostr(status);
  if (text.empty() || text == generic) return generic;
  if (status == PCAP_ERROR_NO_SUCH_DEVICE || status == PCAP_ERROR_PERM_DENIED ||
      status == PCAP_ERROR_PROMISC_PERM_DENIED || status == PCAP_ERROR_IFACE_NOT_UP)
    return generic + " (" + text + ")";
  return text;
}

}  // namespace

LiveSource::LiveSource(const std::string& interface, bool promiscuous, int buffer_timeout_ms,
                       const std::string& bpf, size_t buffer_bytes)
    : interface_(interface.empty() ? first_device() : interface),
      timeout_ms_(buffer_timeout_ms > 0 ? buffer_timeout_ms : kDefaultTimeoutMs) {
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_.reset(pcap_create(interface_.c_str(), errbuf));
  if (!pcap_) throw Error(interface_ + ": " + errbuf);
  activate(promiscuous, buffer_bytes);
  dlt_ = pcap_datalink(pcap_.get());
  link_type_ = dlt_to_linktype(dlt_);
  int snap = pcap_snapshot(pcap_.get());
  snaplen_ = snap > 0 ? static_cast<uint32_t>(snap) : kLiveSnaplen;
  set_filter(bpf);
  set_up_waiting();
}

void LiveSource::Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

void LiveSource::activate(bool promiscuous, size_t buffer_bytes) {
  pcap_t* p = pcap_.get();
  pcap_set_snaplen(p, kLiveSnaplen);
  // 32 MiB rather than libpcap's 2: the writer threads share the disk with
  // everything else, and on an ext4 volume that has just deleted a large
  // output each file creation can stall for a while. 2 MiB of packets is
  // 10 ms at 1.6 Gbit/s; 32 MiB rides out 160 ms (`make bench-live`: no
  // loss at 200 Mbit/s there, where 2 MiB lost packets at 100). libpcap
  // asks for less when the kernel refuses that much.
  pcap_set_buffer_size(p, static_cast<int>(buffer_bytes > 0 ? buffer_bytes
                                                            : kDefaultCaptureBufferBytes));
  pcap_set_promisc(p, promiscuous ? 1 : 0);
  pcap_set_timeout(p, timeout_ms_);
  // Nanoseconds where the platform has them; otherwise libpcap keeps micro.
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);

  int status = pcap_activate(p);
  if (status < 0) throw Error(interface_ + ": " + activate_reason(p, status));
  if (status > 0) {
    // Warnings (e.g. promiscuous mode not supported) leave a working handle.
    std::fprintf(stderr, "tcpflow: warning: %s: %s\n", interface_.c_str(),
                 activate_reason(p, status).c_str());
  }
  nanosecond_ = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
}

void LiveSource::set_filter(const std::string& bpf) {
  if (bpf.empty()) return;
  BpfProgram program;
  if (pcap_compile(pcap_.get(), program.get(), bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    throw Error(bad_filter_message(bpf, pcap_geterr(pcap_.get())));
  program.mark_compiled();
  if (pcap_setfilter(pcap_.get(), program.get()) != 0)
    throw Error(interface_ + ": cannot install filter: " + pcap_geterr(pcap_.get()));
}

void LiveSource::set_up_waiting() {
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
    throw Error(interface_ + ": cannot create pipe: " + std::strerror(errno));
  wake_read_.reset(fds[0]);
  wake_write_.reset(fds[1]);
  // Without a selectable fd (not on Linux) reads simply block in libpcap.
  selectable_fd_ = pcap_get_selectable_fd(pcap_.get());
  if (selectable_fd_ < 0) return;
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  if (pcap_setnonblock(pcap_.get(), 1, errbuf) != 0) {
    std::fprintf(stderr, "tcpflow: warning: %s: %s\n", interface_.c_str(), errbuf);
    selectable_fd_ = -1;
  }
}

void LiveSource::interrupt() {
  interrupted_ = 1;
  pcap_breakloop(pcap_.get());
  if (wake_write_.get() >= 0) {
    ssize_t ignored = ::write(wake_write_.get(), "x", 1);  // full pipe: already woken
    (void)ignored;
  }
}

bool LiveSource::wait_for_packets() {
  pollfd fds[2] = {{selectable_fd_, POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
  int rc = ::poll(fds, 2, timeout_ms_);
  // EINTR: a signal arrived; return so the caller can look at its stop flag.
  return rc > 0 && (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0 &&
         fds[1].revents == 0;
}

ReadStatus LiveSource::next(Record& out) {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  for (bool waited = false;; waited = true) {
    if (interrupted_) return ReadStatus::kEnd;
    rc = pcap_next_ex(pcap_.get(), &header, &data);
    if (rc != 0) break;
    if (selectable_fd_ < 0 || waited || !wait_for_packets()) {
      return interrupted_ ? ReadStatus::kEnd : ReadStatus::kTimeout;
    }
  }
  if (rc == PCAP_ERROR_BREAK) return ReadStatus::kEnd;  // interrupt()
  if (rc < 0) {
    error_ = interface_ + ": " + pcap_geterr(pcap_.get());
    return ReadStatus::kError;
  }
  out.ts.sec = header->ts.tv_sec;
  out.ts.nsec = static_cast<uint32_t>(nanosecond_ ? header->ts.tv_usec : header->ts.tv_usec * 1000);
  out.caplen = header->caplen;
  out.wire_len = header->len;
  out.link_type = link_type_;
  out.interface_id = 0;
  out.data = ByteView(data, header->caplen);
  return ReadStatus::kPacket;
}

std::string LiveSource::link_type_name() const {
  const char* name = pcap_datalink_val_to_name(dlt_);
  return name ? name : "DLT_" + std::to_string(dlt_);
}

std::string LiveSource::link_type_description() const {
  const char* description = pcap_datalink_val_to_description(dlt_);
  return description ? description : "unknown";
}

std::optional<CaptureStats> LiveSource::stats() {
  pcap_stat raw {};
  if (pcap_stats(pcap_.get(), &raw) != 0) return std::nullopt;
  CaptureStats stats;
  stats.received = raw.ps_recv;
  stats.dropped_by_kernel = raw.ps_drop;
  stats.dropped_by_interface = raw.ps_ifdrop;
  return stats;
}

std::unique_ptr<LiveSource> open_live_capture(const std::string& interface, bool promiscuous,
                                              int buffer_timeout_ms, const std::string& bpf,
                                              size_t buffer_bytes) {
  return std::make_unique<LiveSource>(interface, promiscuous, buffer_timeout_ms, bpf,
                                      buffer_bytes);
}

}  // namespace tcpflow::capture
