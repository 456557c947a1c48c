// The inet_diag message codec on canned netlink replies, the inode -> process
// map on a fake /proc tree, and one real lookup of a socket of this process.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "attrib/process_index.h"
#include "attrib/sock_diag.h"
#include "util/error.h"

namespace tcpflow::attrib {
namespace {

decode::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress address;
  address.family = 4;
  address.bytes[0] = a;
  address.bytes[1] = b;
  address.bytes[2] = c;
  address.bytes[3] = d;
  return address;
}

SocketTuple tuple() {
  SocketTuple t;
  t.local = v4(10, 0, 0, 1);
  t.remote = v4(192, 0, 2, 9);
  t.local_port = 40000;
  t.remote_port = 80;
  return t;
}

TEST(AttribSockDiag, RequestIsAnExactTcpLookup) {
  std::vector<uint8_t> bytes = encode_inet_diag_request(tuple(), 77);
  ASSERT_EQ(bytes.size(), sizeof(nlmsghdr) + sizeof(inet_diag_req_v2));
  nlmsghdr header;
  std::memcpy(&header, bytes.data(), sizeof header);
  EXPECT_EQ(header.nlmsg_len, bytes.size());
  EXPECT_EQ(header.nlmsg_type, SOCK_DIAG_BY_FAMILY);
  EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST);  // no dump
  EXPECT_EQ(header.nlmsg_seq, 77u);
  inet_diag_req_v2 request;
  std::memcpy(&request, bytes.data() + sizeof header, sizeof request);
  EXPECT_EQ(request.sdiag_family, AF_INET);
  EXPECT_EQ(request.sdiag_protocol, IPPROTO_TCP);
  EXPECT_EQ(ntohs(request.id.idiag_sport), 40000);
  EXPECT_EQ(ntohs(request.id.idiag_dport), 80);
  const auto* src = reinterpret_cast<const uint8_t*>(request.id.idiag_src);
  EXPECT_EQ(src[0], 10);
  EXPECT_EQ(src[3], 1);
  EXPECT_EQ(request.id.idiag_cookie[0], INET_DIAG_NOCOOKIE);

  SocketTuple six = tuple();
  six.local.family = 6;
  six.remote.family = 6;
  std::memcpy(&request, encode_inet_diag_request(six, 1).data() + sizeof header, sizeof request);
  EXPECT_EQ(request.sdiag_family, AF_INET6);
}

std::vector<uint8_t> diag_message(uint32_t seq, uint32_t uid, uint32_t inode, uint8_t state) {
  struct {
    nlmsghdr header;
    inet_diag_msg body;
  } m{};
  m.header.nlmsg_len = sizeof m;
  m.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  m.header.nlmsg_seq = seq;
  m.body.idiag_family = AF_INET;
  m.body.idiag_state = state;
  m.body.idiag_uid = uid;
  m.body.idiag_inode = inode;
  const auto* p = reinterpret_cast<const uint8_t*>(&m);
  return std::vector<uint8_t>(p, p + sizeof m);
}

std::vector<uint8_t> error_message(uint32_t seq, int error) {
  struct {
    nlmsghdr header;
    nlmsgerr body;
  } m{};
  m.header.nlmsg_len = sizeof m;
  m.header.nlmsg_type = NLMSG_ERROR;
  m.header.nlmsg_seq = seq;
  m.body.error = -error;
  const auto* p = reinterpret_cast<const uint8_t*>(&m);
  return std::vector<uint8_t>(p, p + sizeof m);
}

DiagReply decode(const std::vector<uint8_t>& bytes, uint32_t seq) {
  return decode_inet_diag_reply(ByteView(bytes.data(), bytes.size()), seq);
}

TEST(AttribSockDiag, DecodesFoundSocket) {
  DiagReply reply = decode(diag_message(5, 1000, 424242, TCP_ESTABLISHED), 5);
  EXPECT_EQ(reply.status, DiagStatus::kFound);
  EXPECT_EQ(reply.owner.uid, 1000u);
  EXPECT_EQ(reply.owner.inode, 424242u);
  EXPECT_EQ(reply.owner.state, TCP_ESTABLISHED);
}

TEST(AttribSockDiag, DecodesErrorsAndSkipsOtherSequences) {
  EXPECT_EQ(decode(error_message(5, ENOENT), 5).status, DiagStatus::kNotFound);
  DiagReply denied = decode(error_message(5, EPERM), 5);
  EXPECT_EQ(denied.status, DiagStatus::kError);
  EXPECT_EQ(denied.error, EPERM);
  // An answer to an earlier query, then ours.
  std::vector<uint8_t> both = diag_message(4, 1, 1, TCP_LISTEN);
  std::vector<uint8_t> ours = diag_message(5, 2, 2, TCP_SYN_SENT);
  both.insert(both.end(), ours.begin(), ours.end());
  DiagReply reply = decode(both, 5);
  EXPECT_EQ(reply.status, DiagStatus::kFound);
  EXPECT_EQ(reply.owner.uid, 2u);
}

TEST(AttribSockDiag, MalformedRepliesNeverOverread) {
  std::vector<uint8_t> good = diag_message(5, 1000, 1, TCP_ESTABLISHED);
  for (size_t cut = 0; cut < good.size(); ++cut) {
    std::vector<uint8_t> shorter(good.begin(), good.begin() + static_cast<long>(cut));
    DiagReply reply = decode(shorter, 5);
    EXPECT_NE(reply.status, DiagStatus::kFound) << cut;
  }
  std::vector<uint8_t> lying = good;
  uint32_t huge = 1u << 20;
  std::memcpy(lying.data(), &huge, sizeof huge);  // nlmsg_len beyond the buffer
  EXPECT_EQ(decode(lying, 5).status, DiagStatus::kMalformed);
  uint32_t tiny = 4;
  std::memcpy(lying.data(), &tiny, sizeof tiny);  // nlmsg_len below the header
  EXPECT_EQ(decode(lying, 5).status, DiagStatus::kMalformed);
}

// Opens a listening socket and a connection to it on loopback; the kernel
// must report our uid and an inode that our own /proc/self/fd holds.
TEST(AttribSockDiag, RealLookupOnLoopback) {
  std::unique_ptr<SockDiag> diag;
  try {
    diag = std::make_unique<SockDiag>();
  } catch (const Error& e) {
    GTEST_SKIP() << "netlink socket diagnostics unavailable here: " << e.what();
  }
  int server = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(server, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(server, 4), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(server, reinterpret_cast<sockaddr*>(&address), &length), 0);
  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  sockaddr_in mine{};
  length = sizeof mine;
  ASSERT_EQ(::getsockname(client, reinterpret_cast<sockaddr*>(&mine), &length), 0);

  SocketTuple t;
  t.local = v4(127, 0, 0, 1);
  t.remote = v4(127, 0, 0, 1);
  t.local_port = ntohs(mine.sin_port);
  t.remote_port = ntohs(address.sin_port);
  DiagReply reply = diag->lookup(t);
  ASSERT_EQ(reply.status, DiagStatus::kFound);
  EXPECT_EQ(reply.owner.uid, ::getuid());
  struct stat st {};
  ASSERT_EQ(::fstat(client, &st), 0);
  EXPECT_EQ(reply.owner.inode, st.st_ino);

  // The server's end waits in the accept queue (no inode yet): the listener answers.
  std::swap(t.local_port, t.remote_port);
  DiagReply server_end = diag->lookup(t);
  ASSERT_EQ(server_end.status, DiagStatus::kFound);
  ASSERT_EQ(::fstat(server, &st), 0);
  EXPECT_EQ(server_end.owner.inode, st.st_ino);

  ProcessIndex index;
  std::optional<ProcessInfo> me = index.find_socket(reply.owner.inode);
  ASSERT_TRUE(me.has_value());
  EXPECT_EQ(me->pid, ::getpid());
  EXPECT_EQ(me->uid, ::getuid());
  EXPECT_NE(me->exe.find("unit_tests"), std::string::npos) << me->exe;
  ::close(client);
  ::close(server);
  t.local_port = 1;  // nothing there
  t.remote_port = 1;
  EXPECT_EQ(diag->lookup(t).status, DiagStatus::kNotFound);
}

class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/tcpflow-proc-XXXXXX";
    ASSERT_NE(::mkdtemp(name), nullptr);
    root_ = name;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void add_process(int pid, int ppid, uint32_t uid, const std::string& comm,
                   const std::string& exe, const std::string& argv,
                   const std::vector<std::string>& fd_targets) {
    std::string dir = root_ + "/" + std::to_string(pid);
    std::filesystem::create_directories(dir + "/fd");
    std::ofstream(dir + "/status") << "Name:\t" << comm << "\nState:\tS\nPPid:\t" << ppid
                                   << "\nUid:\t" << uid << "\t" << uid << "\t" << uid << "\t"
                                   << uid << "\n";
    std::ofstream(dir + "/comm") << comm << "\n";
    std::ofstream(dir + "/cmdline", std::ios::binary) << argv;
    if (!exe.empty()) std::filesystem::create_symlink(exe, dir + "/exe");
    for (size_t i = 0; i < fd_targets.size(); ++i) {
      std::filesystem::create_symlink(fd_targets[i], dir + "/fd/" + std::to_string(i + 3));
    }
  }
  std::string root_;
};

TEST_F(FakeProc, MapsInodesToProcesses) {
  using namespace std::string_literals;
  add_process(1200, 1, 0, "sshd", "/usr/sbin/sshd", "sshd: joe\0"s, {"socket:[500]", "pipe:[7]"});
  add_process(1300, 1200, 1001, "python3", "/usr/bin/python3.11",
              "python3\0-m\0http.server\0"s, {"/dev/null", "socket:[600]"});
  add_process(1250, 1, 1001, "worker", "", "worker\0"s, {"socket:[600]"});
  std::filesystem::create_directories(root_ + "/self");  // not a pid
  std::filesystem::create_directories(root_ + "/999/");   // no fd dir: unreadable

  ProcessIndex index(root_, std::chrono::milliseconds(0));
  std::optional<ProcessInfo> sshd = index.find_socket(500);
  ASSERT_TRUE(sshd.has_value());
  EXPECT_EQ(sshd->pid, 1200);
  EXPECT_EQ(sshd->ppid, 1);
  EXPECT_EQ(sshd->uid, 0u);
  EXPECT_EQ(sshd->user, "root");
  EXPECT_EQ(sshd->cmd, "sshd");
  EXPECT_EQ(sshd->exe, "/usr/sbin/sshd");
  EXPECT_EQ(sshd->cmdline, "sshd: joe");

  std::optional<ProcessInfo> shared = index.find_socket(600);  // lowest pid of two holders
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->pid, 1250);
  EXPECT_EQ(shared->exe, "");
  EXPECT_EQ(index.unreadable_processes(), 1u);

  EXPECT_FALSE(index.find_socket(7).has_value());  // a pipe, not a socket
  EXPECT_FALSE(index.find_socket(0).has_value());
  size_t scans = index.scans();
  add_process(1400, 1, 1001, "late", "/bin/late", "late\0--x\0"s, {"socket:[700]"});
  std::optional<ProcessInfo> late = index.find_socket(700);  // a miss rescans
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->cmdline, "late --x");
  EXPECT_GT(index.scans(), scans);
}

TEST_F(FakeProc, RescansAreRateLimitedAndCmdlineCapped) {
  add_process(10, 1, 1001, "big", "/bin/big", std::string(5000, 'a'), {"socket:[1]"});
  ProcessIndex index(root_, std::chrono::hours(1));
  std::optional<ProcessInfo> big = index.find_socket(1);
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->cmdline.size(), ProcessIndex::kMaxCmdline);
  EXPECT_FALSE(index.find_socket(2).has_value());
  EXPECT_FALSE(index.find_socket(3).has_value());
  EXPECT_EQ(index.scans(), 1u);  // misses within the interval do not rescan
  std::filesystem::remove_all(root_ + "/10");
  EXPECT_FALSE(index.describe(10).has_value());  // a process that has gone
}

TEST_F(FakeProc, NewSocketsOfARecentOwnerAreFoundWithoutAFullRescan) {
  add_process(20, 1, 0, "client", "/bin/client", "client", {"socket:[11]"});
  add_process(21, 1, 0, "other", "/bin/other", "other", {"socket:[12]"});
  ProcessIndex index(root_, std::chrono::hours(1));
  ASSERT_TRUE(index.find_socket(11).has_value());
  EXPECT_EQ(index.scans(), 1u);
  // The client connects again: its new socket is found by re-reading its
  // own fd directory, though a full rescan is not due for an hour.
  std::filesystem::create_symlink("socket:[13]", root_ + "/20/fd/9");
  std::optional<ProcessInfo> again = index.find_socket(13);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->pid, 20);
  EXPECT_EQ(index.scans(), 1u);
  // A process that has not owned a socket found lately is not re-read.
  std::filesystem::create_symlink("socket:[14]", root_ + "/21/fd/9");
  EXPECT_FALSE(index.find_socket(14).has_value());
}

}  // namespace
}  // namespace tcpflow::attrib
