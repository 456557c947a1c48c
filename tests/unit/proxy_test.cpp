// The proxy's pieces that need no event loop: address parsing, client rules,
// the bounded relay buffer, the printable filter, and a connection's relay
// over socket pairs (back-pressure, half-close, reset).
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proxy/address.h"
#include "proxy/connection.h"
#include "proxy/printable_filter.h"
#include "proxy/relay_buffer.h"
#include "util/error.h"

namespace tcpflow::proxy {
namespace {

TEST(ProxyAddress, ParsesPortAloneHostAndBracketedV6) {
  HostPort any = parse_host_port("8080", true, "--proxy");
  EXPECT_EQ(any.host, "");
  EXPECT_EQ(any.port, 8080);
  HostPort v4 = parse_host_port("127.0.0.1:80", false, "--proxy-to");
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 80);
  HostPort v6 = parse_host_port("[::1]:443", false, "--proxy-to");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.port, 443);
  HostPort name = parse_host_port("db.example:5432", true, "--proxy");
  EXPECT_EQ(name.host, "db.example");
}

TEST(ProxyAddress, RejectsMalformed) {
  EXPECT_EQ(parse_host_port("0", true, "--proxy").port, 0);
  EXPECT_THROW(parse_host_port("h:0", false, "--proxy-to"), UsageError);
  for (const char* bad : {"", "65536", "host:", ":80", "::1:80", "[::1]80", "[::1]:",
                          "[1.2.3.4]:80", "a:b", "80x"}) {
    EXPECT_THROW(parse_host_port(bad, true, "--proxy"), UsageError) << bad;
  }
  EXPECT_THROW(parse_host_port("8080", false, "--proxy-to"), UsageError);
}

Endpoint numeric(const char* text, uint16_t port) {
  SocketAddress sa = resolve(HostPort{text, port}, false).front();
  return endpoint_from(reinterpret_cast<const sockaddr*>(&sa.storage));
}

TEST(ProxyAddress, AllowRulesMatchPrefixes) {
  std::vector<AllowRule> rules = {parse_allow_rule("10.1.0.0/16"), parse_allow_rule("::1")};
  EXPECT_TRUE(client_allowed(rules, numeric("10.1.200.3", 1)));
  EXPECT_FALSE(client_allowed(rules, numeric("10.2.0.1", 1)));
  EXPECT_TRUE(client_allowed(rules, numeric("::1", 1)));
  EXPECT_FALSE(client_allowed(rules, numeric("::2", 1)));
  EXPECT_TRUE(client_allowed({}, numeric("192.0.2.1", 1)));
  EXPECT_TRUE(client_allowed({parse_allow_rule("0.0.0.0/0")}, numeric("192.0.2.1", 1)));
  EXPECT_FALSE(client_allowed({parse_allow_rule("192.0.2.1/32")}, numeric("192.0.2.2", 1)));
  EXPECT_TRUE(client_allowed({parse_allow_rule("192.0.2.0/25")}, numeric("192.0.2.127", 1)));
  EXPECT_FALSE(client_allowed({parse_allow_rule("192.0.2.0/25")}, numeric("192.0.2.128", 1)));
  for (const char* bad : {"10.0.0.0/33", "::/129", "host", "10.0.0.0/", "1.2.3.4/x"}) {
    EXPECT_THROW(parse_allow_rule(bad), UsageError) << bad;
  }
}

TEST(ProxyAddress, MappedV4ClientIsAnIpv4Endpoint) {
  Endpoint e = numeric("::ffff:192.0.2.9", 4000);
  EXPECT_EQ(e.family, 4);
  EXPECT_EQ(endpoint_text(e), "192.0.2.9:4000");
  EXPECT_EQ(endpoint_text(numeric("::1", 80)), "[::1]:80");
}

TEST(ProxyRelayBuffer, BoundsWhatWaitsAndFreesWhenDrained) {
  RelayBuffer buffer(10);
  EXPECT_EQ(buffer.room(), 10u);
  std::string abc = "abcdefgh";
  buffer.push(ByteView(abc));
  EXPECT_EQ(buffer.room(), 2u);
  buffer.consume(3);
  EXPECT_EQ(std::string(buffer.front().as_chars()), "defgh");
  EXPECT_EQ(buffer.room(), 5u);
  buffer.push(ByteView(std::string_view("12345")));
  EXPECT_EQ(buffer.room(), 0u);
  EXPECT_EQ(std::string(buffer.front().as_chars()), "defgh12345");
  buffer.consume(100);
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.room(), 10u);
}

TEST(ProxyPrintableFilter, KeepsTextAndFoldsRunsAcrossReads) {
  PrintableFilter filter;
  std::vector<uint8_t> out;
  std::string first("ab\x01\x02", 4);
  filter.filter(ByteView(first), out);
  EXPECT_EQ(std::string(out.begin(), out.end()), "ab ");
  std::string second("\x03\xff" "c\r\n\td\x7f", 9);
  filter.filter(ByteView(second), out);
  EXPECT_EQ(std::string(out.begin(), out.end()), "c\r\n\td ");
}

// Records what a connection reports.
struct Recorded : ProxyObserver {
  std::string from_client, from_server;
  bool client_fin = false, server_fin = false;
  void opened(uint64_t, const Endpoint&, const Endpoint&, const Endpoint&, Timestamp) override {}
  void received(uint64_t, Sender from, ByteView data, Timestamp) override {
    (from == Sender::kClient ? from_client : from_server) += std::string(data.as_chars());
  }
  void finished(uint64_t, Sender from, Timestamp) override {
    (from == Sender::kClient ? client_fin : server_fin) = true;
  }
  void ended(uint64_t, EndKind, Sender, Timestamp) override {}
};

// A connection between two socket pairs: the test holds the far ends.
struct Rig {
  int client_far = -1, server_far = -1;
  std::unique_ptr<Connection> connection;
  Rig(size_t buffer) {
    int c[2], s[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, c), 0);
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s), 0);
    client_far = c[1];
    server_far = s[1];
    connection = std::make_unique<Connection>(7, UniqueFd(c[0]), Endpoint{}, 0, buffer);
    connection->half(Sender::kServer).fd = UniqueFd(s[0]);
    connection->connecting = false;
  }
  ~Rig() {
    close(client_far);
    close(server_far);
  }
};

std::string drain(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(ProxyConnection, RelaysBothWaysAndForwardsHalfClose) {
  Rig rig(1024);
  Recorded seen;
  std::vector<uint8_t> scratch(4096);
  ASSERT_EQ(write(rig.client_far, "hello", 5), 5);
  shutdown(rig.client_far, SHUT_WR);
  Connection& c = *rig.connection;
  EXPECT_EQ(c.pump(Sender::kClient, scratch, seen, Timestamp{}), Progress::kOpen);
  EXPECT_EQ(seen.from_client, "hello");
  EXPECT_TRUE(seen.client_fin);
  EXPECT_EQ(drain(rig.server_far), "hello");
  char probe;
  EXPECT_EQ(read(rig.server_far, &probe, 1), 0);  // the FIN was passed on
  ASSERT_EQ(write(rig.server_far, "world", 5), 5);
  shutdown(rig.server_far, SHUT_WR);
  EXPECT_EQ(c.pump(Sender::kServer, scratch, seen, Timestamp{}), Progress::kClosed);
  EXPECT_EQ(drain(rig.client_far), "world");
  EXPECT_EQ(seen.from_server, "world");
}

TEST(ProxyConnection, SlowReceiverStopsReadingAtTheBufferBound) {
  constexpr size_t kBound = 4096;
  Rig rig(kBound);
  Recorded seen;
  std::vector<uint8_t> scratch(65536);
  int small = 4096;
  setsockopt(rig.server_far, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  setsockopt(rig.connection->half(Sender::kServer).fd.get(), SOL_SOCKET, SO_SNDBUF, &small,
             sizeof small);
  std::string payload(1 << 20, 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  size_t written = 0;
  std::string received;
  Connection& c = *rig.connection;
  for (int round = 0; round < 100000 && received.size() < payload.size(); ++round) {
    if (written < payload.size()) {
      ssize_t n = write(rig.client_far, payload.data() + written,
                        std::min<size_t>(payload.size() - written, 65536));
      if (n > 0) written += static_cast<size_t>(n);
    }
    c.pump(Sender::kClient, scratch, seen, Timestamp{});
    // While the receiver does not read, reading from the sender stops.
    EXPECT_LE(seen.from_client.size() - received.size(), kBound + 2 * 212992u);
    if (round % 3 == 0) {
      c.flush(Sender::kServer);
      received += drain(rig.server_far);
    }
    if (c.wanted_events(Sender::kClient) == 0) {
      EXPECT_EQ(c.wanted_events(Sender::kServer) & EPOLLOUT, static_cast<uint32_t>(EPOLLOUT));
    }
  }
  EXPECT_EQ(received, payload);
  EXPECT_EQ(seen.from_client, payload);
}

TEST(ProxyConnection, BufferFullMeansNoReadInterest) {
  Rig rig(16);
  Recorded seen;
  std::vector<uint8_t> scratch(4096);
  Connection& c = *rig.connection;
  // Fill the server socket so nothing more can be sent to it.
  std::string block(65536, 'z');
  while (write(c.half(Sender::kServer).fd.get(), block.data(), block.size()) > 0) {
  }
  ASSERT_EQ(write(rig.client_far, "0123456789abcdefXYZ", 19), 19);
  c.pump(Sender::kClient, scratch, seen, Timestamp{});
  EXPECT_EQ(seen.from_client, "0123456789abcdef");  // 16 bytes, the bound
  EXPECT_EQ(c.wanted_events(Sender::kClient) & EPOLLIN, 0u);
  EXPECT_EQ(c.wanted_events(Sender::kServer) & EPOLLOUT, static_cast<uint32_t>(EPOLLOUT));
}

TEST(ProxyConnection, ReadErrorResetsThePeer) {
  Rig rig(1024);
  Recorded seen;
  std::vector<uint8_t> scratch(4096);
  Connection& c = *rig.connection;
  c.half(Sender::kClient).fd.reset();  // reading a closed descriptor fails
  c.half(Sender::kClient).fd = UniqueFd(open("/dev/null", O_WRONLY));
  EXPECT_EQ(c.pump(Sender::kClient, scratch, seen, Timestamp{}), Progress::kReset);
  EXPECT_EQ(c.reset_by(), Sender::kClient);
  EXPECT_FALSE(c.half(Sender::kServer).fd.valid());
  char probe;
  EXPECT_EQ(read(rig.server_far, &probe, 1), 0);  // the far end sees the connection end
}

}  // namespace
}  // namespace tcpflow::proxy
