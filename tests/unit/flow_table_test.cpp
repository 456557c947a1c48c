#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "flow/flow_table.h"
#include "flow/reassembly_counters.h"

namespace tcpflow::flow {
namespace {

using decode::TcpFlag;

// Collects each direction's bytes in memory; names are "<src port>><dst port>#<n>".
class MemorySink : public reassembly::StreamSink {
 public:
  void write(uint64_t offset, ByteView data, Timestamp) override {
    if (bytes.size() < offset + data.size()) bytes.resize(offset + data.size());
    std::copy(data.begin(), data.end(), bytes.begin() + offset);
  }
  bool read_back(uint64_t offset, uint8_t* out, size_t len) override {
    if (offset + len > bytes.size()) return false;
    std::copy(bytes.begin() + offset, bytes.begin() + offset + len, out);
    return true;
  }
  bool shift(uint64_t delta) override {
    bytes.insert(bytes.begin(), delta, 0);
    return true;
  }
  std::string bytes;
};

struct Recorded {
  FlowInfo info;
  std::string bytes;
};

class FakeHandler : public FlowHandler {
 public:
  std::unique_ptr<reassembly::StreamSink> open_stream(FlowInfo& info) override {
    info.flow_id = opened++;
    return std::make_unique<MemorySink>();
  }
  void close_stream(FlowInfo& info, std::unique_ptr<reassembly::StreamSink> sink) override {
    closed.push_back({info, static_cast<MemorySink*>(sink.get())->bytes});
  }
  std::vector<Recorded> by_ports(uint16_t src, uint16_t dst) const {
    std::vector<Recorded> out;
    for (const auto& r : closed) {
      if (r.info.src_port == src && r.info.dst_port == dst) out.push_back(r);
    }
    return out;
  }
  void connection_closed(const ConnectionRecord& record) override {
    connections.push_back(record);
    closed_when_finished.push_back(closed.size());
  }
  uint64_t opened = 0;
  std::vector<Recorded> closed;
  std::vector<ConnectionRecord> connections;
  std::vector<size_t> closed_when_finished;  // directions closed before each record
};

class FlowTableTest : public ::testing::Test {
 protected:
  FlowTableTest() : budget_(1 << 20) {}

  void send(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint32_t seq,
            uint8_t flags, const std::string& payload = "", uint16_t vlan = decode::kNoVlan) {
    decode::DecodedPacket p;
    p.ip.src.family = p.ip.dst.family = 4;
    std::sscanf(src, "%hhu.%hhu.%hhu.%hhu", &p.ip.src.bytes[0], &p.ip.src.bytes[1],
                &p.ip.src.bytes[2], &p.ip.src.bytes[3]);
    std::sscanf(dst, "%hhu.%hhu.%hhu.%hhu", &p.ip.dst.bytes[0], &p.ip.dst.bytes[1],
                &p.ip.dst.bytes[2], &p.ip.dst.bytes[3]);
    p.link.vlan = vlan;
    p.tcp.src_port = sport;
    p.tcp.dst_port = dport;
    p.tcp.seq = seq;
    p.tcp.flags = flags;
    payloads_.push_back(payload);
    p.tcp.payload = ByteView(payloads_.back());
    PacketContext ctx;
    ctx.ts = Timestamp{++clock_, 0};
    ctx.packet_number = ++number_;
    ctx.input_name = input_;
    table_->process(p, ctx);
  }

  void make_table(FlowTableConfig config = {}) {
    table_ = std::make_unique<FlowTable>(config, handler_, budget_, stats_);
  }

  FakeHandler handler_;
  reassembly::MemoryBudget budget_;
  Stats stats_;
  std::unique_ptr<FlowTable> table_;
  std::list<std::string> payloads_;
  InputName input_ = std::make_shared<const std::string>("test.pcap");
  int64_t clock_ = 1000;
  uint64_t number_ = 0;
};

TEST_F(FlowTableTest, BothDirectionsOfOneConnection) {
  make_table();
  send("10.0.0.1", 1234, "10.0.0.2", 80, 100, TcpFlag::kSyn);
  send("10.0.0.2", 80, "10.0.0.1", 1234, 500, TcpFlag::kSyn | TcpFlag::kAck);
  send("10.0.0.1", 1234, "10.0.0.2", 80, 101, TcpFlag::kAck, "hello");
  send("10.0.0.2", 80, "10.0.0.1", 1234, 501, TcpFlag::kAck, "world");
  send("10.0.0.1", 1234, "10.0.0.2", 80, 106, TcpFlag::kFin | TcpFlag::kAck);
  send("10.0.0.2", 80, "10.0.0.1", 1234, 506, TcpFlag::kFin | TcpFlag::kAck);
  EXPECT_EQ(table_->size(), 1u);
  table_->finish_all(CloseReason::kEndOfInput);
  ASSERT_EQ(handler_.closed.size(), 2u);
  auto client = handler_.by_ports(1234, 80);
  auto server = handler_.by_ports(80, 1234);
  ASSERT_EQ(client.size(), 1u);
  ASSERT_EQ(server.size(), 1u);
  EXPECT_EQ(client[0].bytes, "hello");
  EXPECT_EQ(server[0].bytes, "world");
  EXPECT_EQ(client[0].info.connection_id, server[0].info.connection_id);
  EXPECT_TRUE(client[0].info.is_client);
  EXPECT_FALSE(server[0].info.is_client);
  EXPECT_EQ(client[0].info.packets, 3u);
  EXPECT_EQ(client[0].info.first_ts.sec, 1001);
  EXPECT_EQ(client[0].info.last_ts.sec, 1005);
  EXPECT_EQ(client[0].info.close_reason, CloseReason::kFin);
}

TEST_F(FlowTableTest, NewSynAfterCloseStartsANewConnection) {
  make_table();
  for (uint32_t isn : {100u, 9000u, 50000u}) {
    send("10.0.0.1", 1234, "10.0.0.2", 80, isn, TcpFlag::kSyn);
    send("10.0.0.1", 1234, "10.0.0.2", 80, isn + 1, TcpFlag::kAck, "data" + std::to_string(isn));
    send("10.0.0.1", 1234, "10.0.0.2", 80, isn + 1 + 4 + std::to_string(isn).size(),
         TcpFlag::kFin | TcpFlag::kAck);
  }
  table_->finish_all(CloseReason::kEndOfInput);
  auto flows = handler_.by_ports(1234, 80);
  ASSERT_EQ(flows.size(), 3u);
  EXPECT_EQ(flows[0].bytes, "data100");
  EXPECT_EQ(flows[1].bytes, "data9000");
  EXPECT_EQ(flows[2].bytes, "data50000");
  EXPECT_NE(flows[0].info.connection_id, flows[1].info.connection_id);
}

TEST_F(FlowTableTest, NewIsnWithoutCloseStartsANewConnection) {
  make_table();
  send("10.0.0.1", 1234, "10.0.0.2", 80, 100, TcpFlag::kSyn);
  send("10.0.0.1", 1234, "10.0.0.2", 80, 101, TcpFlag::kAck, "first");
  send("10.0.0.1", 1234, "10.0.0.2", 80, 100, TcpFlag::kSyn);  // retransmitted SYN: same
  send("10.0.0.1", 1234, "10.0.0.2", 80, 70000000, TcpFlag::kSyn);
  send("10.0.0.1", 1234, "10.0.0.2", 80, 70000001, TcpFlag::kAck, "second");
  table_->finish_all(CloseReason::kEndOfInput);
  auto flows = handler_.by_ports(1234, 80);
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0].bytes, "first");
  EXPECT_EQ(flows[0].info.close_reason, CloseReason::kNewSyn);
  EXPECT_EQ(flows[1].bytes, "second");
}

TEST_F(FlowTableTest, VlansSeparateConnections) {
  make_table();
  send("10.0.0.1", 1, "10.0.0.2", 2, 10, TcpFlag::kAck, "untagged");
  send("10.0.0.1", 1, "10.0.0.2", 2, 10, TcpFlag::kAck, "vlan 7!!", 7);
  table_->finish_all(CloseReason::kEndOfInput);
  ASSERT_EQ(handler_.closed.size(), 2u);
  EXPECT_EQ(handler_.closed[0].bytes.size(), 8u);
  EXPECT_NE(handler_.closed[0].info.vlan, handler_.closed[1].info.vlan);
}

TEST_F(FlowTableTest, StrayAckCreatesNothing) {
  make_table();
  send("10.0.0.1", 1, "10.0.0.2", 2, 10, TcpFlag::kAck);
  send("10.0.0.1", 1, "10.0.0.2", 2, 10, TcpFlag::kFin | TcpFlag::kAck);
  EXPECT_EQ(table_->size(), 0u);
}

TEST_F(FlowTableTest, IdleTimeoutClosesOldConnectionsOnly) {
  FlowTableConfig config;
  config.idle_timeout_sec = 5;
  make_table(config);
  send("10.0.0.1", 1, "10.0.0.2", 2, 10, TcpFlag::kAck, "old");
  clock_ += 10;
  send("10.0.0.3", 1, "10.0.0.4", 2, 10, TcpFlag::kAck, "new");
  table_->expire(Timestamp{clock_, 0});
  ASSERT_EQ(handler_.closed.size(), 1u);
  EXPECT_EQ(handler_.closed[0].bytes, "old");
  EXPECT_EQ(handler_.closed[0].info.close_reason, CloseReason::kTimeout);
  EXPECT_EQ(table_->size(), 1u);
}

TEST_F(FlowTableTest, TableLimitEvictsTheLeastRecentlyActive) {
  FlowTableConfig config;
  config.max_connections = 3;
  make_table(config);
  for (uint16_t port = 1; port <= 10; ++port) {
    send("10.0.0.1", port, "10.0.0.2", 80, 10, TcpFlag::kAck, "x");
  }
  EXPECT_EQ(table_->size(), 3u);
  EXPECT_EQ(handler_.closed.size(), 7u);
  EXPECT_EQ(handler_.closed[0].info.src_port, 1);
  EXPECT_EQ(handler_.closed[0].info.close_reason, CloseReason::kEvicted);
  EXPECT_EQ(stats_.get(Counter::kFlowsEvicted), 7u);
}

TEST_F(FlowTableTest, SeekJumpStartsANewFileInTheSameDirection) {
  FlowTableConfig config;
  config.reassembly.max_seek = 1000;
  make_table(config);
  send("10.0.0.1", 1, "10.0.0.2", 2, 100, TcpFlag::kSyn);
  send("10.0.0.1", 1, "10.0.0.2", 2, 101, TcpFlag::kAck, "before");
  send("10.0.0.1", 1, "10.0.0.2", 2, 101 + 6 + 5000, TcpFlag::kAck, "after");
  table_->finish_all(CloseReason::kEndOfInput);
  auto flows = handler_.by_ports(1, 2);
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0].bytes, "before");
  EXPECT_EQ(flows[0].info.close_reason, CloseReason::kSeekJump);
  EXPECT_EQ(flows[1].bytes, "after");
  EXPECT_EQ(flows[0].info.connection_id, flows[1].info.connection_id);
}

TEST_F(FlowTableTest, ResumeOnlyIgnoresNewConnections) {
  make_table();
  send("10.0.0.1", 1, "10.0.0.2", 2, 10, TcpFlag::kAck, "abc");
  table_->set_resume_only(true);
  send("10.0.0.1", 1, "10.0.0.2", 2, 13, TcpFlag::kAck, "def");
  send("10.0.0.5", 1, "10.0.0.6", 2, 10, TcpFlag::kAck, "new");
  table_->finish_all(CloseReason::kEndOfInput);
  ASSERT_EQ(handler_.closed.size(), 1u);
  EXPECT_EQ(handler_.closed[0].bytes, "abcdef");
}

TEST_F(FlowTableTest, LateDataAfterRstStillLandsInTheSameFile) {
  make_table();
  send("10.0.0.1", 1, "10.0.0.2", 2, 100, TcpFlag::kSyn);
  send("10.0.0.1", 1, "10.0.0.2", 2, 104, TcpFlag::kAck, "def");
  send("10.0.0.2", 2, "10.0.0.1", 1, 7, TcpFlag::kRst);
  send("10.0.0.1", 1, "10.0.0.2", 2, 101, TcpFlag::kAck, "abc");
  table_->finish_all(CloseReason::kEndOfInput);
  auto flows = handler_.by_ports(1, 2);
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].bytes, "abcdef");
  EXPECT_EQ(flows[0].info.close_reason, CloseReason::kRst);
}

// Picked up mid-connection, the first segment seen is not the lowest: the
// lower one arriving next becomes byte 0 without moving written bytes.
TEST_F(FlowTableTest, MidstreamLowerSegmentNextNeedsNoShift) {
  make_table();
  send("10.0.0.1", 1, "10.0.0.2", 2, 104, TcpFlag::kAck, "def");
  send("10.0.0.1", 1, "10.0.0.2", 2, 101, TcpFlag::kAck, "abc");
  send("10.0.0.1", 1, "10.0.0.2", 2, 107, TcpFlag::kAck, "ghi");
  table_->finish_all(CloseReason::kEndOfInput);
  auto flows = handler_.by_ports(1, 2);
  ASSERT_EQ(flows.size(), 1u);
  EXPECT_EQ(flows[0].bytes, "abcdefghi");
  EXPECT_EQ(stats_.get(Counter::kStreamShifts), 0u);
}

// Segments with payload for a connection already closed (lingering for
// stragglers) are counted; bare ACKs and FINs are not.
TEST_F(FlowTableTest, DataAfterCloseIsCounted) {
  make_table();
  send("10.0.0.1", 1, "10.0.0.2", 2, 100, TcpFlag::kSyn);
  send("10.0.0.1", 1, "10.0.0.2", 2, 101, TcpFlag::kAck, "abc");
  EXPECT_EQ(stats_.get(Counter::kDataAfterClose), 0u);
  send("10.0.0.2", 2, "10.0.0.1", 1, 7, TcpFlag::kRst);
  send("10.0.0.1", 1, "10.0.0.2", 2, 104, TcpFlag::kAck);
  EXPECT_EQ(stats_.get(Counter::kDataAfterClose), 0u);
  send("10.0.0.1", 1, "10.0.0.2", 2, 104, TcpFlag::kAck, "def");
  send("10.0.0.1", 1, "10.0.0.2", 2, 101, TcpFlag::kAck, "abc");
  EXPECT_EQ(stats_.get(Counter::kDataAfterClose), 2u);
}

// A flow lists each input it had packets from, in order; a run of packets
// from one input is one entry, also when the same file is read twice in a row.
TEST(InputFiles, ListsEachRunOfInputsOnce) {
  InputName a = std::make_shared<const std::string>("a.pcap");
  InputName a_again = std::make_shared<const std::string>("a.pcap");
  InputName b = std::make_shared<const std::string>("b.pcap");
  InputFiles inputs;
  EXPECT_TRUE(inputs.empty());
  inputs.note(nullptr);
  EXPECT_EQ(inputs.size(), 0u);
  inputs.note(a);
  inputs.note(a);
  inputs.note(a_again);
  inputs.note(a);
  EXPECT_EQ(inputs.names(), std::vector<std::string>({"a.pcap"}));
  inputs.note(b);
  inputs.note(b);
  inputs.note(a);
  EXPECT_EQ(inputs.names(), std::vector<std::string>({"a.pcap", "b.pcap", "a.pcap"}));
  EXPECT_EQ(inputs[1], "b.pcap");
  EXPECT_EQ(InputFiles({"x", "x", "y"}).names(), std::vector<std::string>({"x", "y"}));
}

}  // namespace
}  // namespace tcpflow::flow

namespace tcpflow::flow {
namespace {

TEST_F(FlowTableTest, EveryConnectionGetsARecordEvenWithoutData) {
  make_table();
  // 1: SYN never answered. 2: SYN reset. 3: handshake and close, no byte. 4: data.
  send("10.0.0.1", 1001, "10.0.0.2", 80, 100, TcpFlag::kSyn);
  send("10.0.0.1", 1002, "10.0.0.2", 80, 200, TcpFlag::kSyn);
  send("10.0.0.2", 80, "10.0.0.1", 1002, 0, TcpFlag::kRst | TcpFlag::kAck);
  send("10.0.0.1", 1003, "10.0.0.2", 80, 300, TcpFlag::kSyn);
  send("10.0.0.2", 80, "10.0.0.1", 1003, 900, TcpFlag::kSyn | TcpFlag::kAck);
  send("10.0.0.1", 1003, "10.0.0.2", 80, 301, TcpFlag::kAck);
  send("10.0.0.1", 1003, "10.0.0.2", 80, 301, TcpFlag::kFin | TcpFlag::kAck);
  send("10.0.0.2", 80, "10.0.0.1", 1003, 901, TcpFlag::kFin | TcpFlag::kAck);
  send("10.0.0.2", 80, "10.0.0.1", 1004, 700, TcpFlag::kSyn | TcpFlag::kAck);
  send("10.0.0.2", 80, "10.0.0.1", 1004, 701, TcpFlag::kAck, "late");
  table_->finish_all(CloseReason::kEndOfInput);

  ASSERT_EQ(handler_.connections.size(), 4u);
  std::map<uint16_t, ConnectionRecord> by_port;
  for (const auto& r : handler_.connections) {
    by_port[r.orig_port == 80 ? r.resp_port : r.orig_port] = r;
  }
  const ConnectionRecord& s0 = by_port.at(1001);
  EXPECT_EQ(ConnState::kS0, s0.state);
  EXPECT_EQ("S", s0.history);
  EXPECT_EQ(1u, s0.orig_packets);
  EXPECT_EQ(0u, s0.resp_packets);
  EXPECT_EQ(0u, s0.flow_files);
  EXPECT_EQ(CloseReason::kEndOfInput, s0.close_reason);
  EXPECT_EQ(1001, s0.start.sec);
  EXPECT_EQ(1001, s0.end.sec);

  const ConnectionRecord& rej = by_port.at(1002);
  EXPECT_EQ(ConnState::kREJ, rej.state);
  EXPECT_EQ("Sr", rej.history);
  EXPECT_EQ(CloseReason::kRst, rej.close_reason);
  EXPECT_EQ(1002, rej.start.sec);
  EXPECT_EQ(1003, rej.end.sec);

  const ConnectionRecord& sf = by_port.at(1003);
  EXPECT_EQ(ConnState::kSF, sf.state);
  EXPECT_EQ("ShAFf", sf.history);
  EXPECT_EQ(1003u, sf.orig_port);
  EXPECT_EQ(80u, sf.resp_port);
  EXPECT_EQ(3u, sf.orig_packets);
  EXPECT_EQ(2u, sf.resp_packets);
  EXPECT_EQ(0u, sf.orig_bytes + sf.resp_bytes);
  EXPECT_EQ(CloseReason::kFin, sf.close_reason);

  // The SYN was missed: the SYN-ACK's receiver is the originator.
  const ConnectionRecord& flipped = by_port.at(1004);
  EXPECT_EQ(1004u, flipped.orig_port);
  EXPECT_EQ("^hd", flipped.history);
  EXPECT_EQ(4u, flipped.resp_bytes);
  EXPECT_EQ(1u, flipped.flow_files);
  EXPECT_EQ(ConnState::kOTH, flipped.state);
}

TEST_F(FlowTableTest, ConnectionRecordFollowsItsDirectionsAndSharesTheirId) {
  make_table();
  send("10.0.0.1", 1234, "10.0.0.2", 80, 100, TcpFlag::kSyn);
  send("10.0.0.2", 80, "10.0.0.1", 1234, 500, TcpFlag::kSyn | TcpFlag::kAck);
  send("10.0.0.1", 1234, "10.0.0.2", 80, 101, TcpFlag::kAck, "hello");
  send("10.0.0.2", 80, "10.0.0.1", 1234, 501, TcpFlag::kAck, "world!");
  table_->finish_all(CloseReason::kEndOfInput);
  ASSERT_EQ(handler_.connections.size(), 1u);
  const ConnectionRecord& r = handler_.connections[0];
  EXPECT_EQ(2u, handler_.closed_when_finished[0]);
  EXPECT_EQ(handler_.closed[0].info.connection_id, r.connection_id);
  EXPECT_EQ(ConnState::kS1, r.state);
  EXPECT_EQ(5u, r.orig_bytes);
  EXPECT_EQ(6u, r.resp_bytes);
  EXPECT_EQ(2u, r.flow_files);
  EXPECT_EQ(1234u, r.orig_port);
}

}  // namespace
}  // namespace tcpflow::flow

namespace tcpflow::flow {
namespace {

TEST_F(FlowTableTest, WriteTimesRecordWhenEachByteArrivedOnlyWhenAsked) {
  FlowTableConfig config;
  config.record_write_times = true;
  make_table(config);
  send("10.0.0.1", 1234, "10.0.0.2", 80, 100, TcpFlag::kSyn);                 // t=1001
  send("10.0.0.1", 1234, "10.0.0.2", 80, 106, TcpFlag::kAck, "world");        // t=1002, early
  send("10.0.0.1", 1234, "10.0.0.2", 80, 101, TcpFlag::kAck, "hello");        // t=1003
  table_->finish_all(CloseReason::kEndOfInput);
  ASSERT_EQ(1u, handler_.closed.size());
  const auto& times = handler_.closed[0].info.write_times;
  ASSERT_NE(nullptr, times);
  EXPECT_EQ(1003, times->at(0)->sec);
  EXPECT_EQ(1002, times->at(5)->sec);

  make_table();
  handler_.closed.clear();
  send("10.0.0.1", 1235, "10.0.0.2", 80, 100, TcpFlag::kSyn);
  send("10.0.0.1", 1235, "10.0.0.2", 80, 101, TcpFlag::kAck, "x");
  table_->finish_all(CloseReason::kEndOfInput);
  ASSERT_EQ(1u, handler_.closed.size());
  EXPECT_EQ(nullptr, handler_.closed[0].info.write_times);
}

}  // namespace
}  // namespace tcpflow::flow

namespace tcpflow::flow {
namespace {

// Adding and taking back go through the same list: every counter a
// direction's reassembly feeds comes back to zero (stream shifts were once
// added and never taken back).
TEST(ReassemblyCounters, TakingBackUndoesAddingExactly) {
  reassembly::ReassemblyStats rs;
  rs.duplicate_bytes = 1;
  rs.conflict_count = 2;
  rs.conflict_bytes = 3;
  rs.bad_checksum_replaced = 4;
  rs.before_start_segments = 5;
  rs.capped_bytes = 6;
  rs.spilled_blocks = 7;
  rs.shifts = 8;
  rs.gaps = {{0, 10}, {20, 5}};
  Stats stats;
  for_each_reassembly_counter(rs, [&](Counter c, uint64_t n) { stats.add(c, n); });
  EXPECT_EQ(stats.get(Counter::kStreamShifts), 8u);
  EXPECT_EQ(stats.get(Counter::kGaps), 2u);
  EXPECT_EQ(stats.get(Counter::kGapBytes), 15u);
  EXPECT_EQ(stats.get(Counter::kOutOfOrderSpills), 7u);
  for_each_reassembly_counter(rs, [&](Counter c, uint64_t n) { stats.remove(c, n); });
  for (Counter c : {Counter::kDuplicateBytes, Counter::kOverlapConflicts,
                    Counter::kOverlapConflictBytes, Counter::kTcpChecksumBadReplaced,
                    Counter::kSegmentsBeforeStart, Counter::kBytesCapped,
                    Counter::kOutOfOrderSpills, Counter::kStreamShifts, Counter::kGaps,
                    Counter::kGapBytes}) {
    EXPECT_EQ(stats.get(c), 0u);
  }
}

}  // namespace
}  // namespace tcpflow::flow
