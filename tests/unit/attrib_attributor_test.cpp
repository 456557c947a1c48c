// The lookup thread: answers come back without blocking the caller, a full
// queue drops (and counts) instead of waiting, and the real lookup finds a
// loopback connection of this process. Local addresses include loopback.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <utility>

#include "attrib/attributor.h"
#include "attrib/local_addresses.h"
#include "util/error.h"

namespace tcpflow::attrib {
namespace {

decode::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress address;
  address.family = 4;
  address.bytes = {a, b, c, d};
  return address;
}

std::vector<Attribution> collect(Attributor& attributor, size_t count) {
  std::vector<Attribution> out;
  attributor.wait_idle(std::chrono::seconds(5));
  attributor.take(out);
  EXPECT_EQ(out.size(), count);
  return out;
}

TEST(AttribAttributor, AnswersEveryRequestWithItsKey) {
  Attributor attributor([](const SocketTuple& t, unsigned) {
    Attribution a;
    a.status = t.local_port % 2 ? AttributionStatus::kFound : AttributionStatus::kNoSocket;
    if (a.status == AttributionStatus::kFound) {
      a.process = flow::ProcessInfo{};
      a.process->pid = t.local_port;
    }
    return a;
  });
  for (uint16_t port = 1; port <= 100; ++port) {
    SocketTuple t;
    t.local_port = port;
    EXPECT_TRUE(attributor.request(1000 + port, t));
  }
  std::vector<Attribution> answers = collect(attributor, 100);
  for (const Attribution& a : answers) {
    uint16_t port = static_cast<uint16_t>(a.key - 1000);
    if (port % 2) {
      ASSERT_TRUE(a.process.has_value());
      EXPECT_EQ(a.process->pid, port);
    } else {
      EXPECT_EQ(a.status, AttributionStatus::kNoSocket);
    }
  }
  EXPECT_EQ(attributor.dropped(), 0u);
}

TEST(AttribAttributor, FullQueueDropsInsteadOfWaiting) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> started{0};
  Attributor attributor([gate, &started](const SocketTuple&, unsigned) {
    ++started;
    gate.wait();  // the lookup thread is stuck: requests pile up
    return Attribution{};
  });
  size_t accepted = 0;
  for (size_t i = 0; i < Attributor::kMaxPending + 10; ++i) {
    if (attributor.request(i, SocketTuple{})) ++accepted;
  }
  EXPECT_GE(attributor.dropped(), 9u);
  EXPECT_LE(attributor.dropped(), 10u);
  release.set_value();
  collect(attributor, accepted);
}

// A socket whose process is not yet visible is looked at again later; the
// requests after it are answered meanwhile, not held up behind its wait.
TEST(AttribAttributor, RetryWaitsAsideWithoutHoldingUpOthers) {
  std::mutex order_mutex;
  std::vector<std::pair<uint16_t, unsigned>> order;  // (port, attempt) as looked up
  Attributor attributor([&](const SocketTuple& t, unsigned attempt) {
    {
      std::lock_guard<std::mutex> lock(order_mutex);
      order.emplace_back(t.local_port, attempt);
    }
    Attribution a;
    // Port 1 is found on its third try, port 2 on its second, port 3 never.
    bool found = (t.local_port == 1 && attempt == 2) || (t.local_port == 2 && attempt == 1);
    if (found) {
      a.status = AttributionStatus::kFound;
      a.process = flow::ProcessInfo{};
      a.process->pid = t.local_port;
    } else if (t.local_port != 3) {
      a.status = AttributionStatus::kNoProcess;
      a.socket_found = true;
      a.retry_after = std::chrono::milliseconds(t.local_port == 1 ? 100 : 20);
    }
    return a;
  });
  for (uint16_t port = 1; port <= 3; ++port) {
    SocketTuple t;
    t.local_port = port;
    attributor.request(port, t);
  }
  std::vector<Attribution> answers = collect(attributor, 3);
  ASSERT_EQ(answers.size(), 3u);
  // Port 1 needed two retries (200 ms); 2 and 3 were answered before it.
  EXPECT_EQ(answers.back().key, 1u);
  for (const Attribution& a : answers) {
    EXPECT_EQ(a.retry_after.count(), 0);
    if (a.key == 1) {
      ASSERT_TRUE(a.process.has_value());
      EXPECT_EQ(a.process->pid, 1);
    } else if (a.key == 2) {
      ASSERT_TRUE(a.process.has_value());  // found on its retry
      EXPECT_EQ(a.process->pid, 2);
    } else {
      EXPECT_EQ(a.status, AttributionStatus::kNoSocket);
    }
  }
  std::lock_guard<std::mutex> lock(order_mutex);
  using Try = std::pair<uint16_t, unsigned>;
  EXPECT_EQ(order, (std::vector<Try>{{1, 0}, {2, 0}, {3, 0}, {2, 1}, {1, 1}, {1, 2}}));
}

// A socket seen on the first try but gone by the retry keeps what the
// first try learnt (the owner's uid).
TEST(AttribAttributor, RetryThatFindsNoSocketKeepsTheEarlierAnswer) {
  Attributor attributor([](const SocketTuple&, unsigned attempt) {
    Attribution a;
    if (attempt == 0) {
      a.status = AttributionStatus::kNoProcess;
      a.socket_found = true;
      a.socket_uid = 42;
      a.retry_after = std::chrono::milliseconds(10);
    }
    return a;
  });
  attributor.request(5, SocketTuple{});
  std::vector<Attribution> answers = collect(attributor, 1);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].key, 5u);
  EXPECT_EQ(answers[0].status, AttributionStatus::kNoProcess);
  EXPECT_TRUE(answers[0].socket_found);
  EXPECT_EQ(answers[0].socket_uid, 42u);
}

TEST(AttribAttributor, SystemLookupFindsThisProcess) {
  Attributor::Lookup lookup;
  try {
    lookup = Attributor::system_lookup();
  } catch (const Error& e) {
    GTEST_SKIP() << "netlink socket diagnostics unavailable here: " << e.what();
  }
  int server = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(server, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(server, 4), 0);
  socklen_t length = sizeof address;
  ::getsockname(server, reinterpret_cast<sockaddr*>(&address), &length);
  int client = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  sockaddr_in mine{};
  length = sizeof mine;
  ::getsockname(client, reinterpret_cast<sockaddr*>(&mine), &length);

  Attributor attributor(lookup);
  SocketTuple t;
  t.local = v4(127, 0, 0, 1);
  t.remote = v4(127, 0, 0, 1);
  t.local_port = ntohs(mine.sin_port);
  t.remote_port = ntohs(address.sin_port);
  attributor.request(1, t);
  SocketTuple gone = t;
  gone.local_port = 1;
  gone.remote_port = 1;
  attributor.request(2, gone);
  std::vector<Attribution> answers = collect(attributor, 2);
  for (const Attribution& a : answers) {
    if (a.key == 1) {
      ASSERT_EQ(a.status, AttributionStatus::kFound);
      EXPECT_EQ(a.process->pid, ::getpid());
      EXPECT_EQ(a.socket_uid, ::getuid());
    } else {
      EXPECT_EQ(a.status, AttributionStatus::kNoSocket);
    }
  }
  ::close(client);
  ::close(server);
}

TEST(AttribLocalAddresses, LoopbackAndListed) {
  LocalAddresses fixed(std::vector<decode::IpAddress>{v4(192, 0, 2, 5)});
  EXPECT_TRUE(fixed.contains(v4(127, 0, 0, 1)));
  EXPECT_TRUE(fixed.contains(v4(127, 9, 9, 9)));
  EXPECT_TRUE(fixed.contains(v4(192, 0, 2, 5)));
  EXPECT_FALSE(fixed.contains(v4(192, 0, 2, 6)));
  decode::IpAddress six;
  six.family = 6;
  six.bytes[15] = 1;
  EXPECT_TRUE(fixed.contains(six));
  LocalAddresses system;
  EXPECT_TRUE(system.contains(v4(127, 0, 0, 1)));
  EXPECT_FALSE(system.contains(v4(198, 51, 100, 77)));  // TEST-NET-2: never ours
}

}  // namespace
}  // namespace tcpflow::attrib
