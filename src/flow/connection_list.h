// An intrusive doubly linked list of connections: the links live in the
// Connection itself, so putting a connection on the flow table's activity or
// closed list, or moving it to the front on every packet, allocates nothing
// and touches no memory outside the connections involved.
#pragma once
#include <cstddef>

namespace tcpflow::flow {

struct Connection;

// One list's links inside a Connection.
struct ListLinks {
  Connection* prev = nullptr;
  Connection* next = nullptr;
  bool linked = false;
};

// `Links` names the member of Connection that holds this list's links.
template <ListLinks Connection::*Links>
class ConnectionList {
 public:
  ConnectionList() = default;
  ConnectionList(const ConnectionList&) = delete;
  ConnectionList& operator=(const ConnectionList&) = delete;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  Connection* front() const { return head_; }
  Connection* back() const { return tail_; }

  void push_front(Connection* conn) {
    ListLinks& links = conn->*Links;
    links.prev = nullptr;
    links.next = head_;
    links.linked = true;
    if (head_) (head_->*Links).prev = conn;
    head_ = conn;
    if (!tail_) tail_ = conn;
    ++size_;
  }

  void push_back(Connection* conn) {
    ListLinks& links = conn->*Links;
    links.prev = tail_;
    links.next = nullptr;
    links.linked = true;
    if (tail_) (tail_->*Links).next = conn;
    tail_ = conn;
    if (!head_) head_ = conn;
    ++size_;
  }

  // Does nothing for a connection not on this list.
  void erase(Connection* conn) {
    ListLinks& links = conn->*Links;
    if (!links.linked) return;
    if (links.prev) (links.prev->*Links).next = links.next;
    else head_ = links.next;
    if (links.next) (links.next->*Links).prev = links.prev;
    else tail_ = links.prev;
    links = ListLinks{};
    --size_;
  }

  void move_to_front(Connection* conn) {
    if (head_ == conn) return;
    erase(conn);
    push_front(conn);
  }

 private:
  Connection* head_ = nullptr;
  Connection* tail_ = nullptr;
  size_t size_ = 0;
};

}  // namespace tcpflow::flow
