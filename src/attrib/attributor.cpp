#include "attrib/attributor.h"

#include <unistd.h>

#include <algorithm>
#include <future>
#include <iterator>
#include <memory>

#include "attrib/proc_access.h"
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

Attributor::Attributor(Lookup lookup, std::function<void()> on_thread_start,
                       std::function<void()> on_nudge)
    : lookup_(std::move(lookup)),
      on_thread_start_(std::move(on_thread_start)),
      on_nudge_(std::move(on_nudge)) {
  std::promise<void> started;
  std::future<void> thread_ready = started.get_future();
  thread_ = std::thread([this, &started] {
    if (on_thread_start_) on_thread_start_();
    started.set_value();
    run();
  });
  thread_ready.wait();
}

void Attributor::nudge() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_one();
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
  return [diag, index](const SocketTuple& tuple, unsigned attempt) {
    // After -U: this thread's CAP_SYS_PTRACE, see proc_access.h. Without
    // it, another user's process stays out of sight however often we look.
    const bool sees_every_process = regain_proc_access();
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
    answer.status = answer.process ? AttributionStatus::kFound : AttributionStatus::kNoProcess;
    // A process that opened its socket just after the latest /proc scan
    // is found by a later one, which the index allows once its minimum
    // interval has passed. Inode 0 (a connection in TIME_WAIT, or not yet
    // accepted with no listener to fall back on) names no process: nothing
    // to wait for.
    if (!answer.process && reply.owner.inode != 0) {
      if (!sees_every_process && reply.owner.uid != ::geteuid()) {
        answer.hidden = true;
      } else if (attempt < std::size(kRescanWaits)) {
        answer.retry_after = kRescanWaits[attempt];
      } else {
        answer.hidden = true;
      }
    }
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
    unanswered_.insert(key);
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
  idle_.wait_for(lock, limit,
                 [this] { return pending_.empty() && deferred_.empty() && in_flight_ == 0; });
}

bool Attributor::wait_for(uint64_t key, std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mutex_);
  return idle_.wait_for(lock, limit, [this, key] { return unanswered_.count(key) == 0; });
}

void Attributor::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    auto due = [this] {
      return !deferred_.empty() && deferred_.front().due <= std::chrono::steady_clock::now();
    };
    auto ready = [&] { return stopping_ || nudged_ || !pending_.empty() || due(); };
    if (deferred_.empty()) {
      wake_.wait(lock, ready);
    } else {
      wake_.wait_until(lock, deferred_.front().due, ready);
    }
    if (nudged_) {
      nudged_ = false;
      if (on_nudge_) {
        lock.unlock();
        on_nudge_();
        lock.lock();
      }
    } else if (due()) {
      // Retries first: they have waited already, and a new request's
      // socket is usually still there after one retry's lookup.
      Deferred next = std::move(deferred_.front());
      deferred_.erase(deferred_.begin());
      serve(lock, next.request, next.attempt, std::move(next.earlier));
    } else if (!pending_.empty()) {
      Pending next = pending_.front();
      pending_.pop_front();
      serve(lock, next, 0, std::nullopt);
    } else if (stopping_ && deferred_.empty()) {
      return;
    } else if (stopping_) {
      // Shutting down: the retries still waiting are answered as they are.
      for (Deferred& d : deferred_) {
        d.earlier.retry_after = std::chrono::milliseconds{0};
        unanswered_.erase(d.request.key);
        done_.push_back(std::move(d.earlier));
      }
      deferred_.clear();
      idle_.notify_all();
    }
  }
}

void Attributor::serve(std::unique_lock<std::mutex>& lock, Pending request, unsigned attempt,
                       std::optional<Attribution> earlier) {
  ++in_flight_;
  lock.unlock();
  Attribution answer = lookup_(request.tuple, attempt);
  answer.key = request.key;
  // The socket went away between tries: what the earlier try saw (its
  // owner's uid) is still the best answer.
  if (earlier && earlier->socket_found && answer.status == AttributionStatus::kNoSocket) {
    answer = std::move(*earlier);
    answer.retry_after = std::chrono::milliseconds{0};
  }
  lock.lock();
  --in_flight_;
  if (answer.retry_after.count() > 0) {
    Deferred later{std::chrono::steady_clock::now() + answer.retry_after, request, attempt + 1,
                   std::move(answer)};
    // Kept in due order: the front is the next to wake for.
    auto at = std::upper_bound(deferred_.begin(), deferred_.end(), later.due,
                               [](auto when, const Deferred& d) { return when < d.due; });
    deferred_.insert(at, std::move(later));
    return;
  }
  unanswered_.erase(answer.key);
  done_.push_back(std::move(answer));
  idle_.notify_all();
}

}  // namespace tcpflow::attrib
