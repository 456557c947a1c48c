// Who made each connection, past the lookup: ProcessAttribution as the
// closed-flow gate, and the three things that use its answers (the rule
// filter, the connection log, the --snoop trace), with a lookup the test
// controls. Loopback ends are local; 192.0.2.9 (TEST-NET-1) never is.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <future>
#include <sstream>
#include <mutex>
#include <string>
#include <thread>

#include "app/connection_filter.h"
#include "app/connection_log.h"
#include "app/process_attribution.h"
#include "app/snoop_printer.h"
#include "attrib/rules.h"

namespace tcpflow::app {
namespace {

decode::IpAddress v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  decode::IpAddress address;
  address.family = 4;
  address.bytes = {a, b, c, d};
  return address;
}

const decode::IpAddress kLoopback = v4(127, 0, 0, 1);
const decode::IpAddress kRemote = v4(192, 0, 2, 9);

// Local port 5000 belongs to curl (uid 1000, pid 42), 6000 to wget (pid 43);
// anything else has no socket.
attrib::Attribution answer_for(const attrib::SocketTuple& t) {
  attrib::Attribution a;
  if (t.local_port != 5000 && t.local_port != 6000) return a;
  a.status = attrib::AttributionStatus::kFound;
  a.socket_found = true;
  a.socket_uid = 1000;
  flow::ProcessInfo p;
  p.uid = 1000;
  p.user = "joe";
  p.pid = t.local_port == 5000 ? 42 : 43;
  p.ppid = 1;
  p.cmd = t.local_port == 5000 ? "curl" : "wget";
  p.exe = t.local_port == 5000 ? "/usr/bin/curl" : "/usr/bin/wget";
  a.process = p;
  return a;
}

// Connection `id` from the local end 127.0.0.1:local_port to 192.0.2.9:80.
flow::FlowInfo outgoing(uint64_t id, uint16_t local_port) {
  flow::FlowInfo d;
  d.connection_id = id;
  d.src = kLoopback;
  d.src_port = local_port;
  d.dst = kRemote;
  d.dst_port = 80;
  d.packets = 1;
  d.direction_known = true;
  d.is_client = true;
  return d;
}

flow::FlowInfo reverse(const flow::FlowInfo& d) {
  flow::FlowInfo r = d;
  std::swap(r.src, r.dst);
  std::swap(r.src_port, r.dst_port);
  r.is_client = false;
  return r;
}

flow::ConnectionRecord record_of(const flow::FlowInfo& d) {
  flow::ConnectionRecord r;
  r.connection_id = d.connection_id;
  r.orig_ip = d.src;
  r.orig_port = d.src_port;
  r.resp_ip = d.dst;
  r.resp_port = d.dst_port;
  r.state = flow::ConnState::kSF;
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class TempPath {
 public:
  TempPath() {
    char pattern[] = "/tmp/tcpflow-attrib-unit-XXXXXX";
    int fd = ::mkstemp(pattern);
    if (fd >= 0) ::close(fd);
    path_ = pattern;
  }
  ~TempPath() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(ProcessAttribution, HoldsAConnectionUntilItsAnswerIsInThenForgetsIt) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  ProcessAttribution attribution([gate](const attrib::SocketTuple& t, unsigned) {
    gate.wait();
    return answer_for(t);
  });
  flow::FlowInfo d = outgoing(7, 5000);
  attribution.observe(d);
  EXPECT_FALSE(attribution.ready(7));  // asked, not answered
  EXPECT_TRUE(attribution.ready(8));   // never asked about
  release.set_value();
  attribution.settle();
  EXPECT_TRUE(attribution.ready(7));
  const flow::ProcessInfo* p = attribution.find(7, kLoopback, 5000);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->pid, 42);
  EXPECT_EQ(p->cmd, "curl");
  EXPECT_EQ(attribution.find(7, kRemote, 80), nullptr);  // not on this host
  attribution.connection_recorded(record_of(d));
  EXPECT_EQ(attribution.found(), 1u);
  EXPECT_EQ(attribution.unknown(), 0u);
  EXPECT_EQ(attribution.find(7, kLoopback, 5000), nullptr);  // forgotten
}

TEST(ProcessAttribution, AnEndWithoutASocketIsCountedUnknown) {
  ProcessAttribution attribution(
      [](const attrib::SocketTuple& t, unsigned) { return answer_for(t); });
  flow::FlowInfo d = outgoing(9, 7000);  // no such socket
  attribution.observe(d);
  attribution.settle();
  EXPECT_EQ(attribution.find(9, kLoopback, 7000), nullptr);
  attribution.connection_recorded(record_of(d));
  EXPECT_EQ(attribution.found(), 0u);
  EXPECT_EQ(attribution.unknown(), 1u);
}

// Rules see the local end's process: `exe` keeps curl's connection only.
TEST(ConnectionFilter, ExeRuleComparesTheLocalEndsExecutable) {
  ProcessAttribution attribution(
      [](const attrib::SocketTuple& t, unsigned) { return answer_for(t); });
  attrib::RuleSet rules;
  rules.add(attrib::Rule::parse("exe \"/usr/bin/curl\"", attrib::NameLookup::system()));
  ConnectionFilter filter(flow::ShardSpec{}, &rules, &attribution);
  flow::FlowInfo curl = outgoing(1, 5000);
  flow::FlowInfo wget = outgoing(2, 6000);
  attribution.observe(curl);
  attribution.observe(wget);
  EXPECT_TRUE(filter.keeps(curl));
  EXPECT_TRUE(filter.keeps(reverse(curl)));  // both directions of a kept connection
  EXPECT_FALSE(filter.keeps(wget));
  EXPECT_TRUE(filter.keeps(record_of(curl)));
  EXPECT_FALSE(filter.keeps(record_of(wget)));
}

// Without --processes an exe rule cannot be checked and is true (tcpspy's
// rule); ports still decide.
TEST(ConnectionFilter, WithoutAttributionExeIsTrueAndPortsDecide) {
  attrib::RuleSet rules;
  rules.add(attrib::Rule::parse("exe \"/usr/bin/curl\" and rport 80",
                                attrib::NameLookup::system()));
  ConnectionFilter filter(flow::ShardSpec{}, &rules, nullptr);
  flow::FlowInfo web = outgoing(1, 5000);
  flow::FlowInfo other = outgoing(2, 6000);
  other.dst_port = 443;
  EXPECT_TRUE(filter.keeps(web));
  EXPECT_FALSE(filter.keeps(other));
}

TEST(ConnectionLog, OneJsonLinePerLocalEndThatMatchesWithItsProcess) {
  ProcessAttribution attribution(
      [](const attrib::SocketTuple& t, unsigned) { return answer_for(t); });
  attrib::RuleSet rules;
  rules.add(attrib::Rule::parse("user 1000 and lport 5000", attrib::NameLookup::system()));
  ConnectionFilter filter(flow::ShardSpec{}, &rules, &attribution);
  TempPath log_path;
  AttribConfig config;
  config.connlog = log_path.path();
  config.connlog_format = report::ConnectionLogFormat::parse("json");
  flow::FlowInfo curl = outgoing(1, 5000);
  flow::FlowInfo wget = outgoing(2, 6000);
  attribution.observe(curl);
  attribution.observe(wget);
  attribution.settle();
  {
    ConnectionLog log(config, filter, &attribution);
    log.connection_recorded(record_of(curl));
    log.connection_recorded(record_of(wget));  // lport 6000: not kept
    EXPECT_FALSE(log.failed());
  }
  std::string text = slurp(log_path.path());
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  EXPECT_NE(text.find("\"pid\":42"), std::string::npos) << text;
  EXPECT_NE(text.find("\"cmd\":\"curl\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"username\":\"joe\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"direction\":\"out\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"local_port\":5000"), std::string::npos) << text;
  EXPECT_EQ(text.find("wget"), std::string::npos) << text;
}

TEST(ConnectionLog, ReopenStartsANewFileAfterARename) {
  TempPath log_path;
  AttribConfig config;
  config.connlog = log_path.path();
  ConnectionFilter filter;
  ConnectionLog log(config, filter, nullptr);
  log.connection_recorded(record_of(outgoing(1, 5000)));
  std::string moved = log_path.path() + ".1";
  ASSERT_EQ(std::rename(log_path.path().c_str(), moved.c_str()), 0);
  log.reopen();
  log.connection_recorded(record_of(outgoing(2, 6000)));
  log.reopen();  // flushes what was written
  std::string before = slurp(moved);
  std::string after = slurp(log_path.path());
  std::remove(moved.c_str());
  EXPECT_NE(before.find("5000"), std::string::npos) << before;
  EXPECT_EQ(before.find("6000"), std::string::npos) << before;
  EXPECT_NE(after.find("6000"), std::string::npos) << after;
}

TEST(SnoopPrinter, NamesTheLocalProcessAndTheDirectionOfEachPacket) {
  ProcessAttribution attribution(
      [](const attrib::SocketTuple& t, unsigned) { return answer_for(t); });
  ConnectionFilter filter;
  TempPath out_path;
  std::FILE* out = std::fopen(out_path.path().c_str(), "w");
  ASSERT_NE(out, nullptr);
  flow::FlowInfo d = outgoing(3, 5000);
  attribution.observe(d);
  attribution.settle();
  {
    SnoopPrinter snoop(out, false, false, filter, &attribution);
    decode::TcpSegment segment;
    segment.payload_length = 123;
    snoop.packet(d, segment, Timestamp{});
    segment.payload_length = 4567;
    snoop.packet(reverse(d), segment, Timestamp{});
    EXPECT_FALSE(snoop.failed());
  }
  std::fclose(out);
  std::istringstream lines(slurp(out_path.path()));
  std::string header, sent, received;
  std::getline(lines, header);
  std::getline(lines, sent);
  std::getline(lines, received);
  EXPECT_NE(header.find("UID"), std::string::npos);
  EXPECT_NE(header.find("CMD"), std::string::npos);
  for (const std::string* line : {&sent, &received}) {
    std::istringstream words(*line);
    std::string uid, pid, laddr, lport, dir, raddr, rport, size, cmd;
    words >> uid >> pid >> laddr >> lport >> dir >> raddr >> rport >> size >> cmd;
    EXPECT_EQ(uid, "1000") << *line;
    EXPECT_EQ(pid, "42") << *line;
    EXPECT_EQ(laddr, "127.0.0.1") << *line;  // the local end, whichever way the packet went
    EXPECT_EQ(lport, "5000") << *line;
    EXPECT_EQ(raddr, "192.0.2.9") << *line;
    EXPECT_EQ(cmd, "curl") << *line;
    EXPECT_EQ(dir, line == &sent ? "->" : "<-") << *line;
    EXPECT_EQ(size, line == &sent ? "123" : "4567") << *line;
  }
}

}  // namespace
}  // namespace tcpflow::app

namespace tcpflow::app {
namespace {

// The run's counters: each local end of a recorded connection is found or
// unknown; another user's socket that this user cannot see is said once.
TEST(ProcessAttribution, CountsEndsAndWarnsOnceAboutHiddenProcesses) {
  Stats stats;
  ProcessAttribution attribution(
      [](const attrib::SocketTuple& t, unsigned) {
        if (t.local_port != 7000) return answer_for(t);
        attrib::Attribution a;  // a socket with an inode nobody visible holds
        a.status = attrib::AttributionStatus::kNoProcess;
        a.socket_found = true;
        a.socket_uid = ::geteuid() + 1;
        a.hidden = true;
        return a;
      },
      &stats);
  flow::FlowInfo seen = outgoing(1, 5000);
  flow::FlowInfo hidden = outgoing(2, 7000);
  flow::FlowInfo hidden_too = outgoing(3, 7000);
  testing::internal::CaptureStderr();
  for (const flow::FlowInfo* d : {&seen, &hidden, &hidden_too}) attribution.observe(*d);
  attribution.settle();
  for (const flow::FlowInfo* d : {&seen, &hidden, &hidden_too}) {
    attribution.connection_recorded(record_of(*d));
  }
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(stats.get(Counter::kProcessEndsFound), 1u);
  EXPECT_EQ(stats.get(Counter::kProcessEndsUnknown), 2u);
  EXPECT_EQ(stats.get(Counter::kProcessLookupsDropped), 0u);
  size_t first = err.find("belongs to a process this user cannot see");
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("belongs to a process this user cannot see", first + 1), std::string::npos)
      << err;
}

}  // namespace
}  // namespace tcpflow::app

namespace tcpflow::app {
namespace {

// A connection picked up mid-stream may open its file inside the flow
// table, before observe() saw its first packet: naming it asks then.
// A loopback client gone before its lookup: the connection is named after
// its server's process instead.
TEST(ProcessAttribution, AnUnknownClientFallsBackToItsLocalServer) {
  ProcessAttribution attribution(
      [](const attrib::SocketTuple& t, unsigned) { return answer_for(t); });
  flow::FlowInfo d = outgoing(5, 7000);  // no socket at 7000
  d.dst = kLoopback;
  d.dst_port = 6000;  // wget's, in answer_for
  attribution.observe(d);
  const flow::ProcessInfo* p = attribution.process_of_connection(d);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->pid, 43);
}

TEST(ProcessAttribution, AConnectionNeverObservedIsAskedWhenNamed) {
  ProcessAttribution attribution(
      [](const attrib::SocketTuple& t, unsigned) { return answer_for(t); });
  flow::FlowInfo d = outgoing(4, 5000);
  d.packets = 3;  // not its first packet: observe() would not ask
  attribution.observe(d);
  const flow::ProcessInfo* p = attribution.process_of_connection(d);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->pid, 42);
}

}  // namespace
}  // namespace tcpflow::app

namespace tcpflow::attrib {
namespace {

// The start hook runs on the lookup thread before the constructor returns
// (it must precede the caller's setuid); nudge() runs the other hook there.
TEST(AttribAttributor, ThreadHooksRunOnTheLookupThread) {
  std::mutex m;
  std::thread::id started_on, nudged_on;
  std::promise<void> nudged;
  Attributor attributor(
      [](const SocketTuple&, unsigned) { return Attribution{}; },
      [&] {
        std::lock_guard<std::mutex> lock(m);
        started_on = std::this_thread::get_id();
      },
      [&] {
        {
          std::lock_guard<std::mutex> lock(m);
          nudged_on = std::this_thread::get_id();
        }
        nudged.set_value();
      });
  {
    std::lock_guard<std::mutex> lock(m);
    EXPECT_NE(started_on, std::thread::id());  // already ran
    EXPECT_NE(started_on, std::this_thread::get_id());
  }
  attributor.nudge();
  ASSERT_EQ(nudged.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  std::lock_guard<std::mutex> lock(m);
  EXPECT_EQ(nudged_on, started_on);
}

}  // namespace
}  // namespace tcpflow::attrib
