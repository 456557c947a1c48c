#include "attrib/sock_diag.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace tcpflow::attrib {

namespace {

constexpr uint32_t kAllStates = 0xFFFFFFFFu;

void put_address(const decode::IpAddress& address, __be32 out[4]) {
  size_t length = address.family == 6 ? 16 : 4;
  std::memset(out, 0, 16);
  std::memcpy(out, address.bytes.data(), length);
}

uint32_t load_u32_host(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

std::vector<uint8_t> encode_inet_diag_request(const SocketTuple& tuple, uint32_t seq) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST;
  message.header.nlmsg_seq = seq;
  message.request.sdiag_family = tuple.local.family == 6 ? AF_INET6 : AF_INET;
  message.request.sdiag_protocol = IPPROTO_TCP;
  message.request.idiag_states = kAllStates;
  message.request.id.idiag_sport = htons(tuple.local_port);
  message.request.id.idiag_dport = htons(tuple.remote_port);
  put_address(tuple.local, message.request.id.idiag_src);
  put_address(tuple.remote, message.request.id.idiag_dst);
  message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  const auto* bytes = reinterpret_cast<const uint8_t*>(&message);
  return std::vector<uint8_t>(bytes, bytes + sizeof message);
}

DiagReply decode_inet_diag_reply(ByteView reply, uint32_t seq) {
  DiagReply result;
  size_t pos = 0;
  // A reply may carry more than one message (a trailing NLMSG_DONE); the
  // first one for our sequence number decides.
  while (reply.size() - pos >= sizeof(nlmsghdr)) {
    nlmsghdr header;
    std::memcpy(&header, reply.data() + pos, sizeof header);
    if (header.nlmsg_len < sizeof header || header.nlmsg_len > reply.size() - pos) {
      return DiagReply{};
    }
    const uint8_t* body = reply.data() + pos + sizeof header;
    size_t body_size = header.nlmsg_len - sizeof header;
    pos += NLMSG_ALIGN(header.nlmsg_len) <= reply.size() - pos ? NLMSG_ALIGN(header.nlmsg_len)
                                                               : reply.size() - pos;
    if (header.nlmsg_seq != seq) continue;
    if (header.nlmsg_type == NLMSG_ERROR) {
      if (body_size < sizeof(int)) return DiagReply{};
      int error;
      std::memcpy(&error, body, sizeof error);
      result.error = -error;
      result.status = result.error == ENOENT ? DiagStatus::kNotFound : DiagStatus::kError;
      if (error == 0) result.status = DiagStatus::kNotFound;  // an ACK without data
      return result;
    }
    if (header.nlmsg_type == NLMSG_DONE) {
      result.status = DiagStatus::kNotFound;
      return result;
    }
    if (header.nlmsg_type != SOCK_DIAG_BY_FAMILY || body_size < sizeof(inet_diag_msg)) {
      return DiagReply{};
    }
    result.status = DiagStatus::kFound;
    result.owner.state = body[offsetof(inet_diag_msg, idiag_state)];
    result.owner.uid = load_u32_host(body + offsetof(inet_diag_msg, idiag_uid));
    result.owner.inode = load_u32_host(body + offsetof(inet_diag_msg, idiag_inode));
    return result;
  }
  return result;
}

SockDiag::SockDiag() : buffer_(8192) {
  fd_ = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd_ < 0) throw Error(std::string("cannot open socket diagnostics: ") + std::strerror(errno));
}

SockDiag::~SockDiag() {
  if (fd_ >= 0) ::close(fd_);
}

DiagReply SockDiag::query(const SocketTuple& tuple) {
  uint32_t seq = ++seq_;
  std::vector<uint8_t> request = encode_inet_diag_request(tuple, seq);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_, request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    DiagReply failed;
    failed.status = DiagStatus::kError;
    failed.error = errno;
    return failed;
  }
  for (;;) {
    ssize_t got = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      DiagReply failed;
      failed.status = DiagStatus::kError;
      failed.error = errno;
      return failed;
    }
    DiagReply reply =
        decode_inet_diag_reply(ByteView(buffer_.data(), static_cast<size_t>(got)), seq);
    // A late answer to an earlier query is skipped; ours follows it.
    if (reply.status == DiagStatus::kMalformed && got > 0) {
      nlmsghdr header;
      if (static_cast<size_t>(got) >= sizeof header) {
        std::memcpy(&header, buffer_.data(), sizeof header);
        if (header.nlmsg_seq != seq) continue;
      }
    }
    return reply;
  }
}

DiagReply SockDiag::lookup(const SocketTuple& tuple) {
  DiagReply reply = query(tuple);
  if (reply.status == DiagStatus::kFound && reply.owner.inode != 0) return reply;
  SocketTuple listener = tuple;
  listener.remote = decode::IpAddress{};
  listener.remote.family = tuple.local.family;
  listener.remote_port = 0;
  DiagReply listening = query(listener);
  if (listening.status == DiagStatus::kFound && listening.owner.inode != 0) return listening;
  return reply;
}

}  // namespace tcpflow::attrib
