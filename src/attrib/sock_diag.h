// Finds the owner (uid) and socket inode of one TCP socket on this host by
// its four-tuple, through the kernel's socket diagnostics (NETLINK_SOCK_DIAG,
// inet_diag, an exact lookup rather than a dump, so one query costs the
// same whatever the number of sockets). The message codec is separate from
// the socket so canned kernel replies can test it.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "decode/packet.h"
#include "util/byte_view.h"

namespace tcpflow::attrib {

// A socket seen from its own side: `local` is the address it is bound to.
struct SocketTuple {
  decode::IpAddress local;
  decode::IpAddress remote;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
};

struct SocketOwner {
  uint32_t uid = 0;
  uint64_t inode = 0;  // 0: not yet accepted (no file), see SockDiag::lookup
  uint8_t state = 0;   // TCP_ESTABLISHED, TCP_SYN_SENT, TCP_LISTEN, ...
};

enum class DiagStatus : uint8_t { kFound, kNotFound, kError, kMalformed };

struct DiagReply {
  DiagStatus status = DiagStatus::kMalformed;
  SocketOwner owner;
  int error = 0;  // errno from an NLMSG_ERROR reply
};

// The request for one exact lookup (sequence number `seq`).
std::vector<uint8_t> encode_inet_diag_request(const SocketTuple& tuple, uint32_t seq);

// Decodes the kernel's answer to request `seq`: one SOCK_DIAG_BY_FAMILY
// message, or an NLMSG_ERROR (ENOENT: no such socket). Bounds-checked: a
// short or inconsistent buffer is kMalformed, never a read past its end.
DiagReply decode_inet_diag_reply(ByteView reply, uint32_t seq);

// An open NETLINK_SOCK_DIAG socket (RAII). Lookups block for the kernel's
// answer, which takes microseconds; callers keep them off the packet path.
class SockDiag {
 public:
  SockDiag();  // throws Error when netlink is unavailable
  ~SockDiag();
  SockDiag(const SockDiag&) = delete;
  SockDiag& operator=(const SockDiag&) = delete;

  // The socket with exactly this four-tuple; when it has no inode yet (a
  // server's connection waiting in the accept queue), the listening socket
  // on the local address and port instead.
  DiagReply lookup(const SocketTuple& tuple);

 private:
  DiagReply query(const SocketTuple& tuple);

  int fd_ = -1;
  uint32_t seq_ = 0;
  std::vector<uint8_t> buffer_;
};

}  // namespace tcpflow::attrib
