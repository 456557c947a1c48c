// How flow facts are spelled in report.xml and flows.jsonl, so both files
// agree to the character.
#pragma once
#include <string>

#include "decode/packet.h"
#include "flow/flow_info.h"
#include "flow/text_format.h"
#include "util/timestamp.h"

namespace tcpflow::report {

// ISO 8601 UTC with a fractional part: "2024-05-01T12:00:00.123456Z".
// Six digits when the time is a whole number of microseconds (every
// microsecond pcap), nine otherwise, so nanosecond captures lose nothing.
std::string iso8601_utc(const Timestamp& ts);
// The same, appended to `out` (no string of its own: the report writes
// several per flow).
void append_iso8601_utc(std::string& out, const Timestamp& ts);

// Seconds since the epoch as an exact decimal ("1714564800.123456"), same
// digit rule as iso8601_utc. Written from the integers, not through a double.
std::string epoch_decimal(const Timestamp& ts);

// Addresses, MACs, family and direction are spelled as everywhere else.
using flow::direction_name;
using flow::family_name;
using flow::ip_to_string;
using flow::mac_to_string;

// Sum of the lengths of the zero-filled gaps.
uint64_t gap_bytes(const flow::FlowInfo& info);

// report.xml leaves out a <tcpflow:flow> attribute that holds its default,
// and every reader takes a missing one as that default (FORMAT.md, "Left
// out when default"): most short flows have no gaps, duplicates or bad
// checksums, and writing them all out tripled a fileobject's size. Counters
// default to 0; these are the others. flow_id, end_time and bytes default
// to the fileobject's <id>, <mtime> and <filesize>.
inline constexpr char kDefaultFamily[] = "ipv4";
inline constexpr char kDefaultCloseReason[] = "fin";

}  // namespace tcpflow::report
