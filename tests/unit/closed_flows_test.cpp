#include <gtest/gtest.h>

#include <map>
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
  size_t peak_open() const override { return 0; }
  size_t evictions() const override { return 0; }

  void finish_up_to(uint64_t ticket) { finished_ = ticket; }
  std::map<uint64_t, std::string> errors;
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
                     (info.write_failed ? " failed: " + info.write_error : ""));
  }
  void connection_complete(uint64_t id) override {
    events.push_back("connection " + std::to_string(id));
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

TEST(ClosedFlows, WithoutScannersADirectionGoesOnOnceItsFileIsWritten) {
  ManualWriter writer;
  Log log;
  Stats stats;
  ClosedFlows stage(writer, false, log, stats);
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

TEST(ClosedFlows, WithScannersADirectionWaitsForItsConnectionAndMeetsItsPeer) {
  ManualWriter writer;
  Log log;
  Stats stats;
  ClosedFlows stage(writer, true, log, stats);
  flow::FlowInfo request = direction(7, 1000, 80);
  flow::FlowInfo response = direction(7, 80, 1000);
  stage.direction_closed(request, "req", 0);
  EXPECT_EQ(log.events, (Events{"complete req"}));
  stage.direction_closed(response, "resp", 0);
  stage.connection_closed(7);
  EXPECT_EQ(log.events, (Events{"complete req", "complete resp", "record req peer resp",
                                "record resp peer req", "connection 7"}));
}

TEST(ClosedFlows, AWriterFailureIsTakenUnderTheFilesOwnCloseOnly) {
  ManualWriter writer;
  Log log;
  Stats stats;
  ClosedFlows stage(writer, false, log, stats);
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

TEST(ClosedFlows, FinishRecordsDirectionsWhoseConnectionNeverClosed) {
  ManualWriter writer;
  Log log;
  Stats stats;
  ClosedFlows stage(writer, true, log, stats);
  flow::FlowInfo later = direction(9, 1, 2);
  flow::FlowInfo earlier = direction(3, 5, 6);
  stage.direction_closed(later, "later", 0);
  stage.direction_closed(earlier, "earlier", 0);
  stage.finish();
  EXPECT_EQ(log.events, (Events{"complete later", "complete earlier", "record earlier",
                                "connection 3", "record later", "connection 9"}));
}

}  // namespace
}  // namespace tcpflow::app
