#include "output/console_sink.h"

#include <arpa/inet.h>
#include <fcntl.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <vector>

#include "util/error.h"

namespace tcpflow::output {

namespace {

constexpr const char* kColorClient = "\x1b[34m";   // client to server: blue
constexpr const char* kColorServer = "\x1b[31m";   // server to client: red
constexpr const char* kColorUnknown = "\x1b[32m";  // direction not known: green
constexpr const char* kColorReset = "\x1b[0m";
constexpr size_t kHexdumpWidth = 32;

void append_base64(std::string& out, ByteView data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (uint32_t(data[i]) << 16) | (uint32_t(data[i + 1]) << 8) | data[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < data.size()) {
    uint32_t v = uint32_t(data[i]) << 16;
    if (i + 1 < data.size()) v |= uint32_t(data[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
}

void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::string address_text(const decode::IpAddress& addr) {
  char buf[INET6_ADDRSTRLEN];
  int family = addr.family == 6 ? AF_INET6 : AF_INET;
  return inet_ntop(family, addr.bytes.data(), buf, sizeof buf) ? buf : "";
}

}  // namespace

ConsoleWriter::ConsoleWriter(std::FILE* out, const ConsoleOptions& options)
    : out_(out), options_(options) {
  options_.color = options.color && (options.force_color || ::isatty(::fileno(out)));
  if (!options_.semaphore_name.empty()) {
    std::string name = options_.semaphore_name;
    if (name[0] != '/') name.insert(name.begin(), '/');
    semaphore_ = ::sem_open(name.c_str(), O_CREAT, 0644, 1);
    if (semaphore_ == SEM_FAILED) {
      semaphore_ = nullptr;
      throw Error("cannot open semaphore " + name + ": " + std::strerror(errno));
    }
  }
}

ConsoleWriter::~ConsoleWriter() {
  std::fflush(out_);
  if (semaphore_) ::sem_close(semaphore_);
}

const char* ConsoleWriter::color_of(const flow::FlowInfo& info) const {
  if (!info.direction_known) return kColorUnknown;
  return info.is_client ? kColorClient : kColorServer;
}

void ConsoleWriter::render_text(std::string& out, ByteView data) const {
  if (options_.binary) {
    out.append(reinterpret_cast<const char*>(data.data()), data.size());
    return;
  }
  for (uint8_t c : data) {
    bool printable = (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r';
    out += printable ? static_cast<char>(c) : '.';
  }
}

void ConsoleWriter::render_hexdump(std::string& out, uint64_t offset, ByteView data) const {
  char buf[32];
  for (size_t line = 0; line < data.size(); line += kHexdumpWidth) {
    std::snprintf(buf, sizeof buf, "%04" PRIx64 ": ", offset + line);
    out += buf;
    for (size_t i = 0; i < kHexdumpWidth; ++i) {
      if (line + i < data.size()) {
        std::snprintf(buf, sizeof buf, "%02x", data[line + i]);
        out += buf;
      } else {
        out += "  ";
      }
      if (i % 2 == 1) out += ' ';
    }
    out += ' ';
    for (size_t i = line; i < data.size() && i < line + kHexdumpWidth; ++i) {
      uint8_t c = data[i];
      out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
    }
    out += '\n';
  }
}

void ConsoleWriter::render_json(std::string& out, const flow::FlowInfo& info,
                                const std::string& label, const char* type, uint64_t offset,
                                uint64_t length, Timestamp ts, ByteView data) const {
  char buf[96];
  out += "{\"type\":\"";
  out += type;
  out += "\",\"flow\":";
  append_json_string(out, label);
  out += ",\"src\":\"" + address_text(info.src) + "\",\"sport\":" + std::to_string(info.src_port);
  out += ",\"dst\":\"" + address_text(info.dst) + "\",\"dport\":" + std::to_string(info.dst_port);
  if (info.vlan != decode::kNoVlan) out += ",\"vlan\":" + std::to_string(info.vlan);
  out += ",\"family\":\"";
  out += info.src.family == 6 ? "ipv6" : "ipv4";
  out += "\",\"direction\":\"";
  out += !info.direction_known ? "unknown" : info.is_client ? "client" : "server";
  out += "\",\"connection\":" + std::to_string(info.connection_id);
  std::snprintf(buf, sizeof buf, ",\"offset\":%" PRIu64 ",\"length\":%" PRIu64, offset, length);
  out += buf;
  if (!ts.is_zero()) {
    std::snprintf(buf, sizeof buf, ",\"ts\":%" PRId64 ".%09u", ts.sec, ts.nsec);
    out += buf;
  }
  if (!data.empty()) {
    out += ",\"data\":\"";
    append_base64(out, data);
    out += '"';
  }
  out += "}\n";
}

void ConsoleWriter::emit(const std::string& chunk) {
  if (failed_) return;
  if (semaphore_) ::sem_wait(semaphore_);
  size_t written = std::fwrite(chunk.data(), 1, chunk.size(), out_);
  // Another process shares the console: hand it over only complete chunks.
  if (semaphore_) std::fflush(out_);
  if (semaphore_) ::sem_post(semaphore_);
  if (written != chunk.size()) {
    failed_ = true;
    std::fprintf(stderr, "tcpflow: console output failed: %s\n", std::strerror(errno));
  }
}

void ConsoleWriter::print_data(const flow::FlowInfo& info, const std::string& label,
                               uint64_t offset, ByteView data, Timestamp ts) {
  std::string& out = scratch_;
  out.clear();
  if (options_.json) {
    render_json(out, info, label, "data", offset, data.size(), ts, data);
    emit(out);
    return;
  }
  if (options_.color) out += color_of(info);
  if (options_.header) {
    out += label;
    out += options_.hexdump ? ":\n" : ": ";
  }
  if (options_.hexdump) {
    render_hexdump(out, offset, data);
  } else {
    render_text(out, data);
  }
  if (options_.color) out += kColorReset;
  if (options_.newline) out += '\n';
  emit(out);
}

void ConsoleWriter::print_gap(const flow::FlowInfo& info, const std::string& label,
                              uint64_t offset, uint64_t length) {
  std::string& out = scratch_;
  out.clear();
  if (options_.json) {
    render_json(out, info, label, "gap", offset, length, Timestamp{}, ByteView());
    emit(out);
    return;
  }
  if (options_.binary && !options_.hexdump) {
    // Raw output stays a faithful copy of the flow file: holes are zeros
    // there too, printed as chunks of the flow like any other bytes.
    std::vector<uint8_t> zeros(static_cast<size_t>(std::min<uint64_t>(length, 1 << 20)), 0);
    for (uint64_t left = length, at = offset; left > 0;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, zeros.size()));
      print_data(info, label, at, ByteView(zeros.data(), n), Timestamp{});
      left -= n;
      at += n;
    }
    return;
  }
  if (options_.color) out += color_of(info);
  if (options_.header) out += label + ": ";
  out += "[" + std::to_string(length) + " bytes missing at offset " + std::to_string(offset) +
         "]";
  if (options_.color) out += kColorReset;
  out += '\n';
  emit(out);
}

void ConsoleSink::write(uint64_t offset, ByteView data, Timestamp ts) {
  // Bytes already printed cannot be taken back: only what lies beyond is new.
  if (offset + data.size() <= printed_end_) return;
  if (offset < printed_end_) {
    data = data.subview(static_cast<size_t>(printed_end_ - offset));
    offset = printed_end_;
  }
  if (offset > printed_end_) writer_.print_gap(info_, label_, printed_end_, offset - printed_end_);
  writer_.print_data(info_, label_, offset, data, ts);
  printed_end_ = offset + data.size();
}

}  // namespace tcpflow::output
