#include "attrib/attributor.h"

#include <memory>

#include "attrib/process_index.h"

namespace tcpflow::attrib {

namespace {
// Waits before each fresh /proc scan for a socket whose process was not
// found: the first is longer than ProcessIndex's default interval; the
// later ones give a loaded machine's new process time to appear (a client
// started just before its connect was missed once in five runs at load 7).
constexpr std::chrono::milliseconds kRescanWaits[] = {std::chrono::milliseconds{25},
                                                      std::chrono::milliseconds{50},
                                                      std::chrono::milliseconds{100}};
}  // namespace

Attributor::Attributor(Lookup lookup) : lookup_(std::move(lookup)) {
  thread_ = std::thread([this] { run(); });
}

Attributor::~Attributor() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

Attributor::Lookup Attributor::system_lookup() {
  // Both live on the lookup thread only, so they need no locks.
  auto diag = std::make_shared<SockDiag>();
  auto index = std::make_shared<ProcessIndex>();
  return [diag, index](const SocketTuple& tuple) {
    Attribution answer;
    DiagReply reply = diag->lookup(tuple);
    if (reply.status == DiagStatus::kNotFound) return answer;
    if (reply.status != DiagStatus::kFound) {
      answer.status = AttributionStatus::kError;
      return answer;
    }
    answer.socket_found = true;
    answer.socket_uid = reply.owner.uid;
    answer.process = index->find_socket(reply.owner.inode);
    // A process that opened its socket just after the latest /proc scan
    // is found by a later one, which the index allows once its minimum
    // interval has passed: wait for it, on this thread only.
    // Inode 0 (a connection in TIME_WAIT, or not yet accepted with no
    // listener to fall back on) names no process: nothing to wait for.
    for (auto wait : kRescanWaits) {
      if (answer.process || reply.owner.inode == 0) break;
      std::this_thread::sleep_for(wait);
      answer.process = index->find_socket(reply.owner.inode);
    }
    answer.status = answer.process ? AttributionStatus::kFound : AttributionStatus::kNoProcess;
    return answer;
  };
}

bool Attributor::request(uint64_t key, const SocketTuple& tuple) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pending_.size() >= kMaxPending) {
      dropped_.fetch_add(1);
      return false;
    }
    pending_.push_back(Pending{key, tuple});
  }
  wake_.notify_one();
  return true;
}

void Attributor::take(std::vector<Attribution>& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (done_.empty()) return;
  for (Attribution& a : done_) out.push_back(std::move(a));
  done_.clear();
}

void Attributor::wait_idle(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait_for(lock, limit, [this] { return pending_.empty() && in_flight_ == 0; });
}

void Attributor::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty() && stopping_) return;
    Pending next = pending_.front();
    pending_.pop_front();
    ++in_flight_;
    lock.unlock();
    Attribution answer = lookup_(next.tuple);
    answer.key = next.key;
    lock.lock();
    done_.push_back(std::move(answer));
    --in_flight_;
    if (pending_.empty() && in_flight_ == 0) idle_.notify_all();
  }
}

}  // namespace tcpflow::attrib
