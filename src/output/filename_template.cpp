#include "output/filename_template.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>

#include "util/error.h"

namespace tcpflow::output {
namespace {

using Code = FilenameTemplate::Code;

struct CodeInfo {
  char letter;
  Code code;
  size_t max_width;  // longest rendering, for the one reserve() per name
};

constexpr CodeInfo kCodes[] = {
    {'A', Code::kSrcAddr, INET6_ADDRSTRLEN},
    {'B', Code::kDstAddr, INET6_ADDRSTRLEN},
    {'a', Code::kSrcPort, 5},
    {'b', Code::kDstPort, 5},
    {'E', Code::kSrcMac, 17},
    {'e', Code::kDstMac, 17},
    {'V', Code::kVlanMarker, 2},
    {'v', Code::kVlanId, 5},
    {'T', Code::kIsoTime, 32},
    {'t', Code::kUnixTime, 20},
    {'c', Code::kCount, 10},
    {'C', Code::kCountMarker, 1},
    {'#', Code::kCountAlways, 10},
    {'N', Code::kFlowIdN, 3},
    {'K', Code::kFlowIdK, 3},
    {'M', Code::kFlowIdM, 3},
    {'G', Code::kFlowIdG, 3},
    {'S', Code::kConnectionId, 20},
    // kind, id, '_', two addresses and '-'
    {'U', Code::kTunnel, 6 + 10 + 1 + 2 * INET6_ADDRSTRLEN + 1},
};

// Decimal digits, left-padded with zeros to at least `width`.
void append_number(std::string& out, uint64_t value, size_t width) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  size_t len = static_cast<size_t>(res.ptr - buf);
  if (len < width) out.append(width - len, '0');
  out.append(buf, len);
}

void append_signed(std::string& out, int64_t value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, static_cast<size_t>(res.ptr - buf));
}

// IPv4 is zero-padded so names sort numerically (tcpflow's format); IPv6 uses
// the canonical inet_ntop text.
void append_address(std::string& out, const decode::IpAddress& addr) {
  if (addr.family == 4) {
    for (int i = 0; i < 4; ++i) {
      if (i) out += '.';
      append_number(out, addr.bytes[i], 3);
    }
  } else if (addr.family == 6) {
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, addr.bytes.data(), buf, sizeof buf) != nullptr) out += buf;
  }
}

void append_mac(std::string& out, const decode::MacAddress& mac) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < mac.size(); ++i) {
    if (i) out += ':';
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
}

// Proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's
// civil_from_days), so %T needs neither gmtime nor the time zone database.
void append_iso_time(std::string& out, int64_t sec) {
  int64_t days = sec >= 0 ? sec / 86400 : -((-sec + 86399) / 86400);
  int64_t secs_of_day = sec - days * 86400;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t year = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  if (month <= 2) ++year;

  if (year < 0) {
    out += '-';
    year = -year;
  }
  append_number(out, static_cast<uint64_t>(year), 4);
  out += '-';
  append_number(out, static_cast<uint64_t>(month), 2);
  out += '-';
  append_number(out, static_cast<uint64_t>(day), 2);
  out += 'T';
  append_number(out, static_cast<uint64_t>(secs_of_day / 3600), 2);
  out += ':';
  append_number(out, static_cast<uint64_t>(secs_of_day / 60 % 60), 2);
  out += ':';
  append_number(out, static_cast<uint64_t>(secs_of_day % 60), 2);
  out += 'Z';
}

}  // namespace

FilenameTemplate FilenameTemplate::parse(const std::string& text, bool always_count) {
  FilenameTemplate t;
  t.text_ = text;
  t.always_count_ = always_count;
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    t.literal_bytes_ += literal.size();
    t.parts_.push_back(Part{Code::kLiteral, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      literal += text[i];
      continue;
    }
    if (i + 1 == text.size()) {
      throw UsageError("filename template '" + text + "' ends with a lone '%' (use %% for '%')");
    }
    char letter = text[++i];
    if (letter == '%') {
      literal += '%';
      continue;
    }
    const CodeInfo* found = nullptr;
    for (const CodeInfo& c : kCodes) {
      if (c.letter == letter) found = &c;
    }
    if (found == nullptr) {
      throw UsageError("filename template '" + text + "' has an unknown code '%" +
                       std::string(1, letter) + "'");
    }
    flush();
    t.parts_.push_back(Part{found->code, {}});
    t.literal_bytes_ += found->max_width;
    if (found->code == Code::kCount || found->code == Code::kCountAlways) {
      t.has_count_code_ = true;
    }
    if (found->code == Code::kTunnel) t.has_tunnel_code_ = true;
  }
  flush();
  return t;
}

std::string FilenameTemplate::render(const flow::FlowInfo& info) const {
  std::string out;
  render_into(info, false, out);
  return out;
}

std::string FilenameTemplate::render_base(const flow::FlowInfo& info) const {
  std::string out;
  render_into(info, true, out);
  return out;
}

void FilenameTemplate::render_into(const flow::FlowInfo& info, bool base,
                                   std::string& out) const {
  // literal_bytes_ already includes each code's widest rendering.
  out.reserve(literal_bytes_);
  const uint32_t count = info.connection_count;
  const bool tagged = info.vlan != decode::kNoVlan;
  for (const Part& part : parts_) {
    switch (part.code) {
      case Code::kLiteral: out += part.literal; break;
      case Code::kSrcAddr: append_address(out, info.src); break;
      case Code::kDstAddr: append_address(out, info.dst); break;
      case Code::kSrcPort: append_number(out, info.src_port, 5); break;
      case Code::kDstPort: append_number(out, info.dst_port, 5); break;
      case Code::kSrcMac:
        if (info.has_macs) append_mac(out, info.src_mac);
        break;
      case Code::kDstMac:
        if (info.has_macs) append_mac(out, info.dst_mac);
        break;
      case Code::kVlanMarker:
        if (tagged) out += "--";
        break;
      case Code::kVlanId:
        if (tagged) append_number(out, info.vlan, 0);
        break;
      case Code::kIsoTime: append_iso_time(out, info.first_ts.sec); break;
      case Code::kUnixTime: append_signed(out, info.first_ts.sec); break;
      case Code::kCount:
        if (base) {
          out += kCountMarker;
        } else if (count > 0 || always_count_) {
          append_number(out, count, 0);
        }
        break;
      case Code::kCountMarker:
        if (base) {
          out += kCountMarker;
        } else if (count > 0 || always_count_) {
          out += 'c';
        }
        break;
      case Code::kCountAlways:
        if (base) {
          out += kCountMarker;
        } else {
          append_number(out, count, 0);
        }
        break;
      case Code::kFlowIdN: append_number(out, info.flow_id % 1000, 3); break;
      case Code::kFlowIdK: append_number(out, info.flow_id / 1000 % 1000, 3); break;
      case Code::kFlowIdM: append_number(out, info.flow_id / 1000000 % 1000, 3); break;
      case Code::kFlowIdG: append_number(out, info.flow_id / 1000000000 % 1000, 3); break;
      case Code::kConnectionId: // tcpflow 1.6.1 numbers sessions from 0; our connection ids start at 1.
        append_number(out, info.connection_id ? info.connection_id - 1 : 0, 20); break;
      case Code::kTunnel:
        if (!info.tunnels.empty()) out += decode::tunnel_file_tag(info.tunnels.back());
        break;
    }
  }
}

std::string sanitize_relative_path(const std::string& rendered) {
  constexpr size_t kNameMax = 255;
  std::string out;
  out.reserve(rendered.size() + 4);
  size_t pos = 0;
  while (pos <= rendered.size()) {
    size_t slash = rendered.find('/', pos);
    if (slash == std::string::npos) slash = rendered.size();
    std::string_view comp(rendered.data() + pos, slash - pos);
    pos = slash + 1;
    if (comp.empty() || comp == ".") continue;
    if (!out.empty()) out += '/';
    size_t start = out.size();
    if (comp == "..") out += '_';
    for (char ch : comp) {
      auto u = static_cast<unsigned char>(ch);
      out += (u < 0x20 || u == 0x7f) ? '_' : ch;
    }
    if (out.size() - start > kNameMax) out.resize(start + kNameMax);
  }
  if (out.empty()) out = "_";
  return out;
}

}  // namespace tcpflow::output
