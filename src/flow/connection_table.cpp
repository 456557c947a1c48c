#include "flow/connection_table.h"

namespace tcpflow::flow {

namespace {
constexpr size_t kInitialSlots = 1024;
}

ConnectionTable::ConnectionTable() : slots_(kInitialSlots), mask_(kInitialSlots - 1) {}

ConnectionTable::~ConnectionTable() {
  for (Slot& slot : slots_) delete slot.conn;
}

Connection* ConnectionTable::find(const ConnKey& key) const {
  const uint64_t hash = hash_of(key);
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.conn == nullptr) return nullptr;
    if (slot.hash == hash && slot.conn->key == key) return slot.conn;
  }
}

void ConnectionTable::place(const Slot& slot) {
  size_t i = slot.hash & mask_;
  while (slots_[i].conn != nullptr) i = (i + 1) & mask_;
  slots_[i] = slot;
}

Connection* ConnectionTable::insert(const ConnKey& key) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  auto conn = std::make_unique<Connection>();
  conn->key = key;
  place(Slot{hash_of(key), conn.get()});
  ++size_;
  return conn.release();
}

void ConnectionTable::erase(Connection* conn) {
  const uint64_t hash = hash_of(conn->key);
  size_t hole = hash & mask_;
  while (slots_[hole].conn != conn) hole = (hole + 1) & mask_;
  // Backward shift: later entries of the probe run move into the hole unless
  // their home slot lies cyclically after it, so no tombstones build up.
  for (size_t next = (hole + 1) & mask_; slots_[next].conn != nullptr;
       next = (next + 1) & mask_) {
    const size_t home = slots_[next].hash & mask_;
    const bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
    if (stays) continue;
    slots_[hole] = slots_[next];
    hole = next;
  }
  slots_[hole] = Slot{};
  --size_;
  delete conn;
}

void ConnectionTable::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.conn != nullptr) place(slot);
  }
}

}  // namespace tcpflow::flow
