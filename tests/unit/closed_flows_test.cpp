#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/closed_flows.h"

namespace tcpflow::app {
namespace {

// A file writer whose jobs finish only when the test says so.
class ManualWriter : public output::FileWriter {
 public:
  std::unique_ptr<output::OutputFile> open(std::string, output::OutputFile::Owner&) override {
    return nullptr;
  }
  uint64_t submit() { return ++submitted_; }
  uint64_t submitted() const override { return submitted_; }
  uint64_t finished() override { return finished_; }
  void wait_for(uint64_t ticket) override { finished_ = std::max(finished_, ticket); }
  void flush() override { ++flushes; }
  std::optional<std::string> take_error(uint64_t ticket) override {
    auto it = errors.find(ticket);
    if (it == errors.end()) return std::nullopt;
    std::string error = it->second;
    errors.erase(it);
    return error;
  }
  std::optional<output::WrittenDigest> take_digest(uint64_t ticket) override {
    auto it = digests.find(ticket);
    if (it == digests.end()) return std::nullopt;
    output::WrittenDigest digest = it->second;
    digests.erase(it);
    return digest;
  }
  size_t peak_open() const override { return 0; }
  size_t evictions() const override { return 0; }

  void finish_up_to(uint64_t ticket) { finished_ = ticket; }
  std::map<uint64_t, std::string> errors;
  std::map<uint64_t, output::WrittenDigest> digests;
  int flushes = 0;

 private:
  uint64_t submitted_ = 0;
  uint64_t finished_ = 0;
};

// Writes down what happens, in order.
class Log : public ClosedFlows::Consumer {
 public:
  void file_complete(const flow::FlowInfo&, const std::string& path) override {
    events.push_back("complete " + path);
  }
  void record(flow::FlowInfo& info, const std::string& path, const flow::FlowInfo*,
              const std::string* peer_path) override {
    events.push_back("record " + path + (peer_path ? " peer " + *peer_path : "") +
                     (info.write_failed ? " failed: " + info.write_error : "") +
                     (info.written_md5.empty() ? "" : " md5 " + info.written_md5));
  }
  void connection_complete(uint64_t id) override {
    events.push_back("connection " + std::to_string(id));
  }
  void connection_recorded(const flow::ConnectionRecord& record) override {
    events.push_back("record of connection " + std::to_string(record.connection_id) + " " +
                     flow::conn_state_name(record.state));
  }
  std::vector<std::string> events;
};

flow::FlowInfo direction(uint64_t connection, uint16_t src_port, uint16_t dst_port) {
  flow::FlowInfo info;
  info.connection_id = connection;
  info.src_port = src_port;
  info.dst_port = dst_port;
  return info;
}

using Events = std::vector<std::string>;

class ClosedFlowsTest : public ::testing::Test {
 protected:
  // `pair_directions`: as with scanners.
  ClosedFlows& make_stage(bool pair_directions) {
    stage_.emplace(writer, pair_directions, log, stats);
    return *stage_;
  }
  ManualWriter writer;
  Log log;
  Stats stats;
  std::optional<ClosedFlows> stage_;
};

TEST_F(ClosedFlowsTest, WithoutScannersADirectionGoesOnOnceItsFileIsWritten) {
  ClosedFlows& stage = make_stage(false);
  flow::FlowInfo a = direction(1, 10, 20);
  uint64_t a_close = writer.submit();
  stage.direction_closed(a, "a", a_close);
  flow::FlowInfo console = direction(2, 30, 40);
  stage.direction_closed(console, "", 0);  // no file, but it waits its turn
  stage.connection_closed(1);
  EXPECT_TRUE(log.events.empty());
  writer.finish_up_to(a_close);
  stage.poll();
  EXPECT_EQ(writer.flushes, 1);
  EXPECT_EQ(log.events, (Events{"complete a", "record a", "complete ", "record ", "connection 1"}));
}

// The MD5 a writer took of a file travels with the flow, when the writer
// hashed as many bytes as the file holds.
TEST_F(ClosedFlowsTest, AFileKeepsTheDigestItsWriterTookOfAllItsBytes) {
  ClosedFlows& stage = make_stage(false);
  flow::FlowInfo whole = direction(1, 10, 20);
  whole.file_size = 6;
  flow::FlowInfo short_digest = direction(2, 30, 40);
  short_digest.file_size = 9;
  uint64_t whole_close = writer.submit();
  uint64_t short_close = writer.submit();
  writer.digests[whole_close] = output::WrittenDigest{"aa11", 6};
  writer.digests[short_close] = output::WrittenDigest{"bb22", 6};
  stage.direction_closed(whole, "whole", whole_close);
  stage.direction_closed(short_digest, "short", short_close);
  writer.finish_up_to(short_close);
  stage.poll();
  EXPECT_EQ(log.events,
            (Events{"complete whole", "record whole md5 aa11", "complete short", "record short"}));
  EXPECT_TRUE(writer.digests.empty());  // both taken
}

TEST_F(ClosedFlowsTest, WithScannersADirectionWaitsForItsConnectionAndMeetsItsPeer) {
  ClosedFlows& stage = make_stage(true);
  flow::FlowInfo request = direction(7, 1000, 80);
  flow::FlowInfo response = direction(7, 80, 1000);
  stage.direction_closed(request, "req", 0);
  EXPECT_EQ(log.events, (Events{"complete req"}));
  stage.direction_closed(response, "resp", 0);
  stage.connection_closed(7);
  EXPECT_EQ(log.events, (Events{"complete req", "complete resp", "record req peer resp",
                                "record resp peer req", "connection 7"}));
}

TEST_F(ClosedFlowsTest, AConnectionRecordFollowsItsDirectionsAndWaitsForTheWriter) {
  ClosedFlows& stage = make_stage(true);
  flow::FlowInfo request = direction(3, 1000, 80);
  uint64_t close = writer.submit();
  stage.direction_closed(request, "req", close);
  flow::ConnectionRecord record;
  record.connection_id = 3;
  record.state = flow::ConnState::kSF;
  stage.connection_closed(record);
  // A connection without any flow file, closed while the writer is behind.
  flow::ConnectionRecord empty;
  empty.connection_id = 4;
  empty.state = flow::ConnState::kS0;
  stage.connection_closed(empty);
  EXPECT_TRUE(log.events.empty());
  writer.finish_up_to(close);
  stage.poll();
  EXPECT_EQ(log.events, (Events{"complete req", "record req", "connection 3",
                                "record of connection 3 SF", "connection 4",
                                "record of connection 4 S0"}));
}

TEST_F(ClosedFlowsTest, AWriterFailureIsTakenUnderTheFilesOwnCloseOnly) {
  ClosedFlows& stage = make_stage(false);
  flow::FlowInfo broken = direction(1, 1, 2);
  uint64_t close = writer.submit();
  writer.errors[close] = "cannot create: No space left on device";
  stage.direction_closed(broken, "broken", close);
  flow::FlowInfo unstored = direction(2, 3, 4);
  stage.direction_closed(unstored, "", 0);  // waits under the same ticket, not its error
  stage.drain();
  EXPECT_EQ(log.events, (Events{"complete broken",
                                "record broken failed: cannot create: No space left on device",
                                "complete ", "record "}));
  EXPECT_EQ(stats.get(Counter::kWriteErrors), 1u);
}

TEST_F(ClosedFlowsTest, FinishRecordsDirectionsWhoseConnectionNeverClosed) {
  ClosedFlows& stage = make_stage(true);
  flow::FlowInfo later = direction(9, 1, 2);
  flow::FlowInfo earlier = direction(3, 5, 6);
  stage.direction_closed(later, "later", 0);
  stage.direction_closed(earlier, "earlier", 0);
  stage.finish();
  EXPECT_EQ(log.events, (Events{"complete later", "complete earlier", "record earlier",
                                "connection 3", "record later", "connection 9"}));
}

// Holds the connections the test names until it lets them go.
class ManualGate : public ClosedFlows::Gate {
 public:
  bool ready(uint64_t connection_id) override { return held.count(connection_id) == 0; }
  void settle() override { ++settles; }
  std::set<uint64_t> held;
  int settles = 0;
};

TEST_F(ClosedFlowsTest, AGateHoldsItsConnectionAndEverythingAfterItInOrder) {
  ClosedFlows& stage = make_stage(false);
  ManualGate gate;
  stage.wait_also_for(gate);
  gate.held = {5};
  flow::FlowInfo held = direction(5, 1, 2);
  stage.direction_closed(held, "held", 0);  // written, but its facts are not in
  flow::ConnectionRecord record;
  record.connection_id = 5;
  record.state = flow::ConnState::kSF;
  stage.connection_closed(record);
  flow::FlowInfo after = direction(6, 3, 4);
  stage.direction_closed(after, "after", 0);  // free, but behind the held one
  stage.connection_closed(6);
  stage.drain();
  EXPECT_TRUE(log.events.empty());
  gate.held.clear();
  stage.poll();
  EXPECT_EQ(log.events, (Events{"complete held", "record held", "connection 5",
                                "record of connection 5 SF", "complete after", "record after",
                                "connection 6"}));
}

TEST_F(ClosedFlowsTest, FinishSettlesTheGateThenRecordsWhatItStillHolds) {
  ClosedFlows& stage = make_stage(false);
  ManualGate gate;
  stage.wait_also_for(gate);
  gate.held = {8};
  flow::FlowInfo held = direction(8, 1, 2);
  stage.direction_closed(held, "held", 0);
  stage.connection_closed(8);
  EXPECT_TRUE(log.events.empty());
  stage.finish();  // the gate gave up: the run's records are never lost
  EXPECT_EQ(gate.settles, 1);
  EXPECT_EQ(log.events, (Events{"complete held", "record held", "connection 8"}));
}

}  // namespace
}  // namespace tcpflow::app
