// What a connection did, in the vocabulary of Zeek's conn.log: who opened it
// (the originator), a state summing up how it began and ended (S0, SF, REJ,
// ...) and a history string with one letter per kind of packet each side
// sent. Fed every packet of the connection, including the ones that carry no
// payload and so never reach a flow file: a SYN nobody answered or a
// rejected one is a connection too.
//
// Kept per connection for its whole life, so it is small (no heap) and the
// work per packet is a few comparisons.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "decode/packet.h"
#include "flow/flow_key.h"
#include "util/timestamp.h"

namespace tcpflow::flow {

enum class ConnState : uint8_t {
  kS0,      // originator's SYN, no reply
  kS1,      // handshake seen, not closed
  kSF,      // both sides closed with FIN
  kREJ,     // originator's SYN answered by a RST
  kS2,      // handshake seen, originator sent FIN, responder did not
  kS3,      // handshake seen, responder sent FIN, originator did not
  kRSTO,    // originator sent a RST after the connection was answered
  kRSTR,    // responder sent a RST after the connection was answered
  kRSTOS0,  // originator sent SYN then RST, no SYN-ACK seen
  kRSTRH,   // responder sent SYN-ACK then RST, originator's SYN not seen
  kSH,      // originator sent SYN (or data) then FIN, responder silent
  kSHR,     // responder sent SYN-ACK (or data) then FIN, originator silent
  kOTH,     // anything else: no SYN seen, mid-stream traffic
};

const char* conn_state_name(ConnState state);

class ConnHistory {
 public:
  // One packet sent from `side` of the connection's key. Inline, with a
  // fast path for the packet that changes nothing but the counters (an ACK,
  // with or without data, once its letter is written): nearly every packet.
  void observe(Side side, uint8_t tcp_flags, size_t payload_len, bool checksum_bad,
               Timestamp ts) {
    EndpointFacts& end = ends_[index(side)];
    last_ts_ = ts;
    ++end.packets;
    end.bytes += payload_len;
    constexpr uint8_t kStateFlags = decode::kSyn | decode::kFin | decode::kRst;
    if (started_ && !checksum_bad && (tcp_flags & kStateFlags) == 0 &&
        end.state != Endpoint::kInactive) {
      const uint8_t letter = payload_len > 0                ? kLetterData
                             : (tcp_flags & decode::kAck) ? kLetterAck
                                                            : 0;
      if ((end.letters & letter) == letter) return;
    }
    observe_flags(side, tcp_flags, payload_len, checksum_bad, ts);
  }

  bool empty() const { return !started_; }
  // The side that opened the connection: the sender of the first packet,
  // unless that packet was a SYN-ACK (then its receiver, and the history
  // starts with '^').
  Side originator() const { return originator_; }
  Side responder() const { return originator_ == Side::kLow ? Side::kHigh : Side::kLow; }

  ConnState state() const;
  // Letters in the order first seen, upper case for the originator, lower
  // case for the responder: S SYN, H SYN-ACK, A bare ACK, D payload, F FIN,
  // R RST, C bad checksum. Each letter appears at most once per side.
  std::string history() const { return std::string(history_, history_len_); }

  uint64_t packets(Side side) const { return ends_[index(side)].packets; }
  // TCP payload bytes sent, retransmitted copies included.
  uint64_t bytes(Side side) const { return ends_[index(side)].bytes; }
  Timestamp first_ts() const { return first_ts_; }
  Timestamp last_ts() const { return last_ts_; }

 private:
  // Where each side stands, after Zeek's per-endpoint TCP states.
  enum class Endpoint : uint8_t {
    kInactive,     // sent nothing
    kSynSent,      // sent a SYN, no handshake yet
    kSynAckSent,   // sent a SYN-ACK, no handshake yet
    kPartial,      // sent packets but no SYN (picked up mid-stream)
    kEstablished,  // originator's SYN and responder's SYN-ACK both seen
    kClosed,       // sent a FIN
    kReset,        // sent a RST
  };
  struct EndpointFacts {
    Endpoint state = Endpoint::kInactive;
    bool sent_syn = false;
    bool sent_syn_ack = false;
    uint8_t letters = 0;  // bit per history letter already written for this side
    uint64_t packets = 0;
    uint64_t bytes = 0;
  };
  static constexpr size_t kMaxHistory = 16;  // '^' plus 7 letters per side
  static constexpr uint8_t kLetterAck = 1u << 2;   // letter_bit('A')
  static constexpr uint8_t kLetterData = 1u << 3;  // letter_bit('D')

  // observe()'s slow path: letters, endpoint states, the handshake.
  void observe_flags(Side side, uint8_t tcp_flags, size_t payload_len, bool checksum_bad,
                     Timestamp ts);

  static size_t index(Side side) { return static_cast<size_t>(side); }
  static bool quiet(Endpoint e) { return e == Endpoint::kInactive || e == Endpoint::kPartial; }
  void start(Side side, uint8_t tcp_flags, Timestamp ts);
  void advance(EndpointFacts& end, uint8_t tcp_flags);
  void note_letter(Side side, char upper);
  bool handshake_seen() const;

  EndpointFacts ends_[2];
  Timestamp first_ts_;
  Timestamp last_ts_;
  Side originator_ = Side::kLow;
  bool started_ = false;
  uint8_t history_len_ = 0;
  char history_[kMaxHistory] = {};
};

}  // namespace tcpflow::flow
