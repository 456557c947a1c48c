// The one stage a closed flow direction passes before it is recorded, and
// the one place that decides when it may go on. Two conditions, and an
// optional third:
//   1. its file is complete on disk: with writer threads, the job that
//      closes it has finished (the ticket rule, output/file_writer.h);
//   2. with scanners, its connection has left the flow table, so the other
//      direction is complete too (the http scanner reads the requests to
//      parse the responses). Without scanners nothing needs the other side.
//   3. with a Gate (--processes), the facts it gathers about the connection
//      off the packet thread (which process owns each end) are in, or the
//      gate has given up on them. Nothing on the packet thread waits for them.
// Closed directions and closed connections are released in the order they
// happened: tickets grow in that order, so the front of the queue is always
// the next one due. The flow table closes both directions of a connection
// and then the connection in one step, so a direction waits for its peer
// only briefly (one restarted by a sequence jump waits until its connection
// ends).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "flow/connection_record.h"
#include "flow/flow_info.h"
#include "output/file_writer.h"
#include "util/ring_queue.h"
#include "util/stats.h"

namespace tcpflow::app {

class ClosedFlows {
 public:
  // What happens to flows as they are released.
  class Consumer {
   public:
    virtual ~Consumer() = default;
    // The direction's file is complete (`path` empty: it has none).
    virtual void file_complete(const flow::FlowInfo& info, const std::string& path) = 0;
    // Scan and report it; `peer` and `peer_path` are the other direction of
    // the same connection when it has a file, else null.
    virtual void record(flow::FlowInfo& info, const std::string& path, const flow::FlowInfo* peer,
                        const std::string* peer_path) = 0;
    // Every direction of the connection has been recorded.
    virtual void connection_complete(uint64_t connection_id) = 0;
    // Then the connection's own record, when the flow table gave one.
    virtual void connection_recorded(const flow::ConnectionRecord& record) { (void)record; }
  };

  // Facts about a connection that arrive after its packets (condition 3).
  class Gate {
   public:
    virtual ~Gate() = default;
    // Whether connection `connection_id` may be recorded now; never blocks.
    virtual bool ready(uint64_t connection_id) = 0;
    // End of run: waits, for a bounded time, for what is still outstanding.
    virtual void settle() = 0;
  };

  // `pair_directions`: hold each direction until its connection is closed
  // (condition 2); set when scanners run.
  ClosedFlows(output::FileWriter& writer, bool pair_directions, Consumer& consumer, Stats& stats);
  // Adds condition 3; `gate` must outlive this.
  void wait_also_for(Gate& gate) { gate_ = &gate; }

  // A direction closed; the flow table drops `info` after this call.
  // `pending_job` is the ticket that completes its file (0: complete).
  void direction_closed(flow::FlowInfo& info, std::string path, uint64_t pending_job);
  void connection_closed(uint64_t connection_id);
  // The same, with the record handed to Consumer::connection_recorded.
  void connection_closed(const flow::ConnectionRecord& record);

  // Hands the writer the jobs waiting to fill a batch (a slow capture may
  // not fill one for a long time) and releases what is written. No waiting.
  void poll();
  // Waits for the writer, then releases every flow whose file is written:
  // the files of every closed direction are complete (SIGHUP, live timeouts).
  void drain();
  // End of run: drains, then records every direction still waiting for its
  // connection, oldest connection first.
  void finish();

 private:
  struct Closed {
    flow::FlowInfo info;
    std::string path;
  };
  // A closed direction (`flow` set) or a closed connection, in the order they
  // happened, until the writer finishes `ticket`.
  struct Event {
    uint64_t ticket = 0;
    bool closes_file = false;  // `ticket` is the flow's own close job: its error comes with it
    std::optional<Closed> flow;
    uint64_t connection_id = 0;
    std::optional<flow::ConnectionRecord> record;
  };

  // Releases the front events that are due; `settled`: ignore the gate.
  void release_written(bool settled = false);
  bool due(const Event& event, uint64_t finished, bool settled) const;
  bool gate_open(uint64_t connection_id) const {
    return gate_ == nullptr || gate_->ready(connection_id);
  }
  void release(flow::FlowInfo& info, std::string& path, uint64_t ticket);
  void release_connection(uint64_t connection_id,
                          const flow::ConnectionRecord* record = nullptr);
  // The writer's outcome for the file: its failure, or the MD5 it took.
  void take_writer_outcome(flow::FlowInfo& info, const std::string& path, uint64_t ticket);

  output::FileWriter& writer_;
  const bool pair_directions_;
  Consumer& consumer_;
  Stats& stats_;
  Gate* gate_ = nullptr;
  RingQueue<Event> unwritten_;  // conditions 1 and 3
  // Condition 2, by connection id (creation order), so finish() is deterministic.
  std::map<uint64_t, std::vector<Closed>> unpaired_;
};

}  // namespace tcpflow::app
