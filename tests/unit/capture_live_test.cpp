// Live capture. Opening a real interface needs privileges, so the loopback
// test skips itself where capture is not permitted.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "capture/live_source.h"
#include "capture/packet_source.h"
#include "util/error.h"

namespace tcpflow::capture {
namespace {

std::string live_error(const std::string& interface, const std::string& bpf) {
  try {
    open_live_capture(interface, false, 100, bpf);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no exception)";
}

bool not_permitted(const std::string& msg) {
  return msg.find("ermission") != std::string::npos ||
         msg.find("not permitted") != std::string::npos;
}

TEST(CaptureLive, UnknownInterfaceThrowsWithItsName) {
  std::string msg = live_error("tcpflow-nosuch0", "");
  EXPECT_EQ(msg.rfind("tcpflow-nosuch0: ", 0), 0u) << msg;
  if (!not_permitted(msg)) {
    EXPECT_NE(msg.find("No such device"), std::string::npos) << msg;
  }
}

TEST(CaptureLive, LoopbackCapturesAFilteredDatagram) {
  std::unique_ptr<PacketSource> src;
  try {
    src = open_live_capture("lo", false, 50, "udp dst port 47999");
  } catch (const Error& e) {
    GTEST_SKIP() << "cannot capture on lo: " << e.what();
  }
  EXPECT_EQ(src->primary_link_type(), 1);  // Linux loopback is Ethernet-framed
  EXPECT_EQ(src->snaplen(), 262144u);

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(47999);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const char msg[] = "tcpflow-capture-test";
  ASSERT_EQ(sendto(fd, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(sizeof msg));
  close(fd);

  Record r;
  ReadStatus status = ReadStatus::kTimeout;
  for (int i = 0; i < 100 && status == ReadStatus::kTimeout; ++i) status = src->next(r);
  ASSERT_EQ(status, ReadStatus::kPacket);
  EXPECT_EQ(r.link_type, 1);
  EXPECT_EQ(r.caplen, 14u + 20 + 8 + sizeof msg);
  EXPECT_EQ(r.wire_len, r.caplen);
  EXPECT_LT(r.ts.nsec, 1000000000u);
  EXPECT_GT(r.ts.sec, 1600000000);
  EXPECT_EQ(std::memcmp(r.data.data() + 42, msg, sizeof msg), 0);

  // Nothing else matches the filter: the buffer timeout yields kTimeout.
  EXPECT_EQ(src->next(r), ReadStatus::kTimeout);
  src->interrupt();
  EXPECT_EQ(src->next(r), ReadStatus::kEnd);
}

TEST(CaptureLive, BadFilterThrows) {
  std::string msg = live_error("lo", "port port");
  if (not_permitted(msg)) GTEST_SKIP() << msg;
  EXPECT_EQ(msg.rfind("bad filter expression 'port port': ", 0), 0u) << msg;
}

}  // namespace
}  // namespace tcpflow::capture
