// The facts of one whole connection as it leaves the flow table: both
// endpoints (originator first), times, the Zeek-style state and history, and
// packets and payload bytes each way. Every connection gets one, including
// those that never stored a byte (a SYN nobody answered, a rejected SYN, a
// handshake followed by nothing). No behaviour.
#pragma once
#include <cstdint>
#include <string>

#include "decode/packet.h"
#include "flow/conn_history.h"
#include "flow/flow_info.h"
#include "util/timestamp.h"

namespace tcpflow::flow {

struct ConnectionRecord {
  uint64_t connection_id = 0;  // the connection_id of its directions' flow records
  decode::IpAddress orig_ip;
  decode::IpAddress resp_ip;
  uint16_t orig_port = 0;
  uint16_t resp_port = 0;
  uint16_t vlan = decode::kNoVlan;

  Timestamp start;  // first packet, either way
  Timestamp end;    // last packet, either way
  ConnState state = ConnState::kOTH;
  std::string history;

  uint64_t orig_packets = 0;
  uint64_t orig_bytes = 0;  // TCP payload, retransmitted copies included
  uint64_t resp_packets = 0;
  uint64_t resp_bytes = 0;

  uint32_t flow_files = 0;  // directions that produced a flow record
  CloseReason close_reason = CloseReason::kEndOfInput;  // why it left the table
};

}  // namespace tcpflow::flow
