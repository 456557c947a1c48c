// How flow facts are spelled as text, once for every output that spells
// them: flow file names (output/filename_template), the console
// (output/console_sink) and the reports (report/flow_format). All append to
// a caller's string, without snprintf: file names and report entries are
// formatted millions of times on a big capture.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "decode/packet.h"
#include "decode/tunnel.h"
#include "flow/flow_info.h"

namespace tcpflow::flow {

// `value` in decimal, zero-padded to at least `width` digits.
void append_decimal(std::string& out, uint64_t value, size_t width = 1);
void append_signed_decimal(std::string& out, int64_t value);

// "192.0.2.1" or RFC 5952 IPv6 ("2001:db8::1"); nothing for an unset address.
void append_ip(std::string& out, const decode::IpAddress& address);
std::string ip_to_string(const decode::IpAddress& address);
// tcpflow's file name spelling: IPv4 zero-padded ("010.000.000.001") so names
// sort numerically; IPv6 as append_ip.
void append_ip_padded(std::string& out, const decode::IpAddress& address);

// "00:11:22:aa:bb:cc".
void append_mac(std::string& out, const decode::MacAddress& mac);
// The same text in a value: no allocation (17 characters do not fit in a
// std::string's own storage).
using MacText = std::array<char, 17>;
MacText mac_text(const decode::MacAddress& mac);
inline std::string_view view(const MacText& text) { return {text.data(), text.size()}; }
std::string mac_to_string(const decode::MacAddress& mac);

// "vxlan:vni=100 outer=192.0.2.1>192.0.2.2" per layer, joined by ", ".
std::string describe_tunnels(const std::vector<decode::TunnelLayer>& layers);
// A short identity for file names: "vxlan100_192.0.2.1-192.0.2.2"
// (no id for kinds without one; ':' in IPv6 addresses kept).
std::string tunnel_file_tag(const decode::TunnelLayer& layer);

// "ipv4", "ipv6" or "unknown".
const char* family_name(const decode::IpAddress& address);
// "client" (the opener's direction), "server", or "unknown".
const char* direction_name(const FlowInfo& info);

// The proleptic Gregorian date of a day count since 1970-01-01 (either
// sign; H. Hinnant's civil_from_days), so no gmtime and no time zone
// database is needed.
struct CivilDate {
  int64_t year;
  unsigned month;  // 1-12
  unsigned day;    // 1-31
};
CivilDate civil_from_days(int64_t days);

// "2001-09-09T01:46:40" (UTC, whole seconds, no zone letter); a year
// before 0 gets a minus sign.
void append_iso_seconds(std::string& out, int64_t sec);

}  // namespace tcpflow::flow
