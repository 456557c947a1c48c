#include "flow/text_format.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>

namespace tcpflow::flow {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr int64_t kSecondsPerDay = 86400;

}  // namespace

void append_decimal(std::string& out, uint64_t value, size_t width) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  size_t len = static_cast<size_t>(res.ptr - buf);
  if (len < width) out.append(width - len, '0');
  out.append(buf, len);
}

void append_signed_decimal(std::string& out, int64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

void append_ip(std::string& out, const decode::IpAddress& address) {
  if (address.family == 4) {
    for (size_t i = 0; i < 4; ++i) {
      if (i > 0) out += '.';
      append_decimal(out, address.bytes[i]);
    }
  } else if (address.family == 6) {
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, address.bytes.data(), buf, sizeof buf) != nullptr) out += buf;
  }
}

std::string ip_to_string(const decode::IpAddress& address) {
  std::string out;
  append_ip(out, address);
  return out;
}

void append_ip_padded(std::string& out, const decode::IpAddress& address) {
  if (address.family != 4) {
    append_ip(out, address);
    return;
  }
  for (size_t i = 0; i < 4; ++i) {
    if (i > 0) out += '.';
    append_decimal(out, address.bytes[i], 3);
  }
}

void append_mac(std::string& out, const decode::MacAddress& mac) {
  for (size_t i = 0; i < mac.size(); ++i) {
    if (i > 0) out += ':';
    out += kHexDigits[mac[i] >> 4];
    out += kHexDigits[mac[i] & 0x0F];
  }
}

MacText mac_text(const decode::MacAddress& mac) {
  MacText text{};
  for (size_t i = 0; i < mac.size(); ++i) {
    text[3 * i] = kHexDigits[mac[i] >> 4];
    text[3 * i + 1] = kHexDigits[mac[i] & 0x0F];
    if (i + 1 < mac.size()) text[3 * i + 2] = ':';
  }
  return text;
}

std::string mac_to_string(const decode::MacAddress& mac) { return std::string(view(mac_text(mac))); }

const char* family_name(const decode::IpAddress& address) {
  switch (address.family) {
    case 4: return "ipv4";
    case 6: return "ipv6";
    default: return "unknown";
  }
}

const char* direction_name(const FlowInfo& info) {
  if (!info.direction_known) return "unknown";
  return info.is_client ? "client" : "server";
}

// Counts 400-year eras of 146097 days from 0000-03-01, so that the leap day
// is the last day of its year.
CivilDate civil_from_days(int64_t days) {
  int64_t z = days + 719468;  // days from 0000-03-01 to 1970-01-01
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t day_of_era = z - era * 146097;
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t march_month = (5 * day_of_year + 2) / 153;  // 0 is March
  CivilDate date;
  date.day = static_cast<unsigned>(day_of_year - (153 * march_month + 2) / 5 + 1);
  date.month = static_cast<unsigned>(march_month < 10 ? march_month + 3 : march_month - 9);
  date.year = year_of_era + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

void append_iso_seconds(std::string& out, int64_t sec) {
  int64_t days = sec >= 0 ? sec / kSecondsPerDay : -((-sec + kSecondsPerDay - 1) / kSecondsPerDay);
  auto second_of_day = static_cast<uint64_t>(sec - days * kSecondsPerDay);
  CivilDate date = civil_from_days(days);
  if (date.year < 0) out += '-';
  append_decimal(out, static_cast<uint64_t>(date.year < 0 ? -date.year : date.year), 4);
  out += '-';
  append_decimal(out, date.month, 2);
  out += '-';
  append_decimal(out, date.day, 2);
  out += 'T';
  append_decimal(out, second_of_day / 3600, 2);
  out += ':';
  append_decimal(out, second_of_day / 60 % 60, 2);
  out += ':';
  append_decimal(out, second_of_day % 60, 2);
}

std::string describe_tunnels(const std::vector<decode::TunnelLayer>& layers) {
  std::string out;
  for (const decode::TunnelLayer& layer : layers) {
    if (!out.empty()) out += ", ";
    out += decode::tunnel_layer_name(layer);
    out += ':';
    if (layer.has_id) {
      out += decode::tunnel_id_label(layer.kind);
      out += '=';
      append_decimal(out, layer.id);
      out += ' ';
    }
    out += "outer=";
    append_ip(out, layer.outer_src);
    out += '>';
    append_ip(out, layer.outer_dst);
  }
  return out;
}

std::string tunnel_file_tag(const decode::TunnelLayer& layer) {
  std::string out = decode::tunnel_layer_name(layer);
  if (layer.has_id) append_decimal(out, layer.id);
  out += '_';
  append_ip(out, layer.outer_src);
  out += '-';
  append_ip(out, layer.outer_dst);
  return out;
}

}  // namespace tcpflow::flow
