#include "flow/conn_history.h"

#include "decode/packet.h"

namespace tcpflow::flow {

using decode::TcpFlag;

namespace {

// The bit a history letter takes in EndpointFacts::letters.
uint8_t letter_bit(char upper) {
  switch (upper) {
    case 'S': return 1u << 0;
    case 'H': return 1u << 1;
    case 'A': return 1u << 2;
    case 'D': return 1u << 3;
    case 'F': return 1u << 4;
    case 'R': return 1u << 5;
    case 'C': return 1u << 6;
  }
  return 0;
}

}  // namespace

const char* conn_state_name(ConnState state) {
  switch (state) {
    case ConnState::kS0: return "S0";
    case ConnState::kS1: return "S1";
    case ConnState::kSF: return "SF";
    case ConnState::kREJ: return "REJ";
    case ConnState::kS2: return "S2";
    case ConnState::kS3: return "S3";
    case ConnState::kRSTO: return "RSTO";
    case ConnState::kRSTR: return "RSTR";
    case ConnState::kRSTOS0: return "RSTOS0";
    case ConnState::kRSTRH: return "RSTRH";
    case ConnState::kSH: return "SH";
    case ConnState::kSHR: return "SHR";
    case ConnState::kOTH: return "OTH";
  }
  return "OTH";
}

void ConnHistory::start(Side side, uint8_t tcp_flags, Timestamp ts) {
  started_ = true;
  first_ts_ = ts;
  bool syn_ack = (tcp_flags & TcpFlag::kSyn) && (tcp_flags & TcpFlag::kAck);
  // A SYN-ACK first means the SYN was missed: its receiver opened the connection.
  originator_ = side;
  if (syn_ack) {
    originator_ = side == Side::kLow ? Side::kHigh : Side::kLow;
    history_[history_len_++] = '^';
  }
}

void ConnHistory::observe_flags(Side side, uint8_t tcp_flags, size_t payload_len,
                               bool checksum_bad, Timestamp ts) {
  if (!started_) start(side, tcp_flags, ts);
  EndpointFacts& end = ends_[index(side)];

  bool syn = tcp_flags & TcpFlag::kSyn;
  bool ack = tcp_flags & TcpFlag::kAck;
  bool fin = tcp_flags & TcpFlag::kFin;
  bool rst = tcp_flags & TcpFlag::kRst;
  if (checksum_bad) note_letter(side, 'C');
  if (syn) note_letter(side, ack ? 'H' : 'S');
  if (payload_len > 0) note_letter(side, 'D');
  if (fin) note_letter(side, 'F');
  if (rst) note_letter(side, 'R');
  if (ack && !syn && !fin && !rst && payload_len == 0) note_letter(side, 'A');

  advance(end, tcp_flags);
  if (handshake_seen()) {
    for (EndpointFacts& e : ends_) {
      if (e.state == Endpoint::kSynSent || e.state == Endpoint::kSynAckSent) {
        e.state = Endpoint::kEstablished;
      }
    }
  }
}

void ConnHistory::advance(EndpointFacts& end, uint8_t tcp_flags) {
  bool syn = tcp_flags & TcpFlag::kSyn;
  bool ack = tcp_flags & TcpFlag::kAck;
  if (syn && ack) end.sent_syn_ack = true;
  if (syn && !ack) end.sent_syn = true;
  if (tcp_flags & TcpFlag::kRst) {
    end.state = Endpoint::kReset;
  } else if (tcp_flags & TcpFlag::kFin) {
    if (end.state != Endpoint::kReset) end.state = Endpoint::kClosed;
  } else if (end.state == Endpoint::kInactive) {
    end.state = !syn ? Endpoint::kPartial : ack ? Endpoint::kSynAckSent : Endpoint::kSynSent;
  }
}

bool ConnHistory::handshake_seen() const {
  return ends_[index(originator())].sent_syn && ends_[index(responder())].sent_syn_ack;
}

void ConnHistory::note_letter(Side side, char upper) {
  EndpointFacts& end = ends_[index(side)];
  uint8_t bit = letter_bit(upper);
  if (end.letters & bit) return;
  end.letters |= bit;
  if (history_len_ >= kMaxHistory) return;  // cannot happen: 15 letters at most
  bool orig = side == originator_;
  history_[history_len_++] = orig ? upper : static_cast<char>(upper - 'A' + 'a');
}

ConnState ConnHistory::state() const {
  const EndpointFacts& o = ends_[index(originator())];
  const EndpointFacts& r = ends_[index(responder())];
  Endpoint os = o.state;
  Endpoint rs = r.state;
  if (rs == Endpoint::kReset) {
    // Refused: the responder reset a SYN it never accepted.
    if (os == Endpoint::kSynSent || os == Endpoint::kSynAckSent) return ConnState::kREJ;
    if (os == Endpoint::kReset && o.sent_syn && !r.sent_syn_ack) return ConnState::kREJ;
    return quiet(os) ? ConnState::kRSTRH : ConnState::kRSTR;
  }
  if (os == Endpoint::kReset) {
    if (quiet(rs)) return o.sent_syn && rs == Endpoint::kInactive ? ConnState::kRSTOS0
                                                                  : ConnState::kOTH;
    return ConnState::kRSTO;
  }
  if (os == Endpoint::kClosed && rs == Endpoint::kClosed) return ConnState::kSF;
  if (os == Endpoint::kClosed) return quiet(rs) ? ConnState::kSH : ConnState::kS2;
  if (rs == Endpoint::kClosed) return quiet(os) ? ConnState::kSHR : ConnState::kS3;
  if (os == Endpoint::kSynSent && rs == Endpoint::kInactive) return ConnState::kS0;
  if (os == Endpoint::kEstablished && rs == Endpoint::kEstablished) return ConnState::kS1;
  return ConnState::kOTH;
}

}  // namespace tcpflow::flow
