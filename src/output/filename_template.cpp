#include "output/filename_template.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "flow/text_format.h"
#include "util/error.h"

namespace tcpflow::output {
namespace {

using Code = FilenameTemplate::Code;
using flow::append_decimal;
using flow::append_ip_padded;
using flow::append_iso_seconds;
using flow::append_mac;
using flow::append_signed_decimal;

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
    {'U', Code::kLocalUser, 32},
    {'P', Code::kLocalCommand, 16},
    // kind, id, '_', two addresses and '-'
    {'W', Code::kTunnel, 6 + 10 + 1 + 2 * INET6_ADDRSTRLEN + 1},
};

// A user or command name (any process may choose its own) as part of one
// path component, already as sanitize_relative_path would leave it, so the
// name counted (render_base) is the name written: '/' would start a
// directory the template did not ask for and control characters are not
// kept, so both become '_'; "." and ".." get a leading '_'.
void append_name_part(std::string& out, const std::string* name) {
  if (name == nullptr || name->empty()) {
    out += FilenameTemplate::kUnknownProcess;
    return;
  }
  if (*name == "." || *name == "..") out += '_';
  for (char c : *name) {
    auto u = static_cast<unsigned char>(c);
    out += (c == '/' || u < 0x20 || u == 0x7f) ? '_' : c;
  }
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
    if (found->code == Code::kLocalUser || found->code == Code::kLocalCommand) {
      t.has_process_code_ = true;
    }
  }
  flush();
  return t;
}

std::string FilenameTemplate::render(const flow::FlowInfo& info,
                                     const flow::ProcessInfo* local) const {
  std::string out;
  render_into(info, local, false, out);
  return out;
}

std::string FilenameTemplate::render_base(const flow::FlowInfo& info,
                                          const flow::ProcessInfo* local) const {
  std::string out;
  render_into(info, local, true, out);
  return out;
}

void FilenameTemplate::render_into(const flow::FlowInfo& info, const flow::ProcessInfo* local,
                                   bool base, std::string& out) const {
  // literal_bytes_ already includes each code's widest rendering.
  out.reserve(literal_bytes_);
  const uint32_t count = info.connection_count;
  const bool tagged = info.vlan != decode::kNoVlan;
  for (const Part& part : parts_) {
    switch (part.code) {
      case Code::kLiteral: out += part.literal; break;
      case Code::kSrcAddr: append_ip_padded(out, info.src); break;
      case Code::kDstAddr: append_ip_padded(out, info.dst); break;
      case Code::kSrcPort: append_decimal(out, info.src_port, 5); break;
      case Code::kDstPort: append_decimal(out, info.dst_port, 5); break;
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
        if (tagged) append_decimal(out, info.vlan, 0);
        break;
      case Code::kIsoTime:
        append_iso_seconds(out, info.first_ts.sec);
        out += 'Z';
        break;
      case Code::kUnixTime: append_signed_decimal(out, info.first_ts.sec); break;
      case Code::kCount:
        if (base) {
          out += kCountMarker;
        } else if (count > 0 || always_count_) {
          append_decimal(out, count, 0);
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
          append_decimal(out, count, 0);
        }
        break;
      case Code::kFlowIdN: append_decimal(out, info.flow_id % 1000, 3); break;
      case Code::kFlowIdK: append_decimal(out, info.flow_id / 1000 % 1000, 3); break;
      case Code::kFlowIdM: append_decimal(out, info.flow_id / 1000000 % 1000, 3); break;
      case Code::kFlowIdG: append_decimal(out, info.flow_id / 1000000000 % 1000, 3); break;
      case Code::kConnectionId: // tcpflow 1.6.1 numbers sessions from 0; our connection ids start at 1.
        append_decimal(out, info.connection_id ? info.connection_id - 1 : 0, 20); break;
      case Code::kTunnel:
        if (!info.tunnels.empty()) out += flow::tunnel_file_tag(info.tunnels.back());
        break;
      case Code::kLocalUser: append_name_part(out, local ? &local->user : nullptr); break;
      case Code::kLocalCommand: append_name_part(out, local ? &local->cmd : nullptr); break;
    }
  }
}

std::string sanitize_relative_path(std::string_view rendered) {
  std::string out;
  sanitize_relative_path_into(rendered, out);
  return out;
}

void sanitize_relative_path_into(std::string_view rendered, std::string& out) {
  constexpr size_t kNameMax = 255;
  const size_t first = out.size();
  out.reserve(first + rendered.size() + 4);
  size_t pos = 0;
  while (pos <= rendered.size()) {
    size_t slash = rendered.find('/', pos);
    if (slash == std::string_view::npos) slash = rendered.size();
    std::string_view comp = rendered.substr(pos, slash - pos);
    pos = slash + 1;
    if (comp.empty() || comp == ".") continue;
    if (out.size() > first) out += '/';
    size_t start = out.size();
    if (comp == "..") out += '_';
    for (char ch : comp) {
      auto u = static_cast<unsigned char>(ch);
      out += (u < 0x20 || u == 0x7f) ? '_' : ch;
    }
    if (out.size() - start > kNameMax) out.resize(start + kNameMax);
  }
  if (out.size() == first) out += '_';
}

}  // namespace tcpflow::output
