// libFuzzer target: the -T filename template (output::FilenameTemplate::parse
// and render) and output::sanitize_relative_path.
//
// Input: [flags][FlowInfo fields: 2 x 16 address bytes, ports, vlan, macs,
// ids, count, timestamp: 64 bytes][template text up to the first NUL][rest:
// a raw name given to sanitize_relative_path directly].
// The sanitized path must never be empty, absolute, contain a "." or ".."
// component or an empty component, a NUL or control character, or a
// component longer than 255 bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "flow/flow_info.h"
#include "output/filename_template.h"

using namespace tcpflow;

namespace {

[[noreturn]] void fail(const char* what, const std::string& in, const std::string& out) {
  std::fprintf(stderr, "INVARIANT FAILED: %s\n  input: ", what);
  for (unsigned char c : in) std::fprintf(stderr, c >= 32 && c < 127 ? "%c" : "\\x%02x", c);
  std::fprintf(stderr, "\n  output: ");
  for (unsigned char c : out) std::fprintf(stderr, c >= 32 && c < 127 ? "%c" : "\\x%02x", c);
  std::fprintf(stderr, "\n");
  std::abort();
}

void check_path(const std::string& in, const std::string& p) {
  if (p.empty()) fail("empty path", in, p);
  if (p[0] == '/') fail("absolute path", in, p);
  size_t start = 0;
  while (true) {
    size_t slash = p.find('/', start);
    std::string comp = p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (comp.empty()) fail("empty component (// or trailing /)", in, p);
    if (comp == "..") fail("'..' component", in, p);
    if (comp == ".") fail("'.' component", in, p);
    if (comp.size() > 255) fail("component longer than NAME_MAX", in, p);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (unsigned char c : p)
    if (c < 32 || c == 127) fail("NUL or control character", in, p);
}

uint64_t take(const uint8_t*& d, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | *d++;
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kHeader = 1 + 64;
  if (size < kHeader) return 0;
  const uint8_t* d = data;
  uint8_t flags = *d++;
  flow::FlowInfo info;
  info.src.family = (flags & 1) ? 6 : 4;
  info.dst.family = (flags & 2) ? 6 : 4;
  std::memcpy(info.src.bytes.data(), d, 16);
  d += 16;
  std::memcpy(info.dst.bytes.data(), d, 16);
  d += 16;
  if (info.src.family == 4) std::memset(info.src.bytes.data() + 4, 0, 12);
  if (info.dst.family == 4) std::memset(info.dst.bytes.data() + 4, 0, 12);
  info.src_port = uint16_t(take(d, 2));
  info.dst_port = uint16_t(take(d, 2));
  info.vlan = uint16_t(take(d, 2));
  info.has_macs = (flags & 4) != 0;
  std::memcpy(info.src_mac.data(), d, 6);
  d += 6;
  std::memcpy(info.dst_mac.data(), d, 6);
  d += 6;
  info.connection_id = take(d, 2);
  info.flow_id = take(d, 4);
  info.connection_count = uint32_t(take(d, 2));
  info.first_ts.sec = int64_t(take(d, 4)) - ((flags & 8) ? (int64_t(1) << 31) : 0);
  info.first_ts.nsec = uint32_t(take(d, 2)) * 16000u;  // < 1e9
  info.last_ts = info.first_ts;
  info.is_client = (flags & 16) != 0;
  info.direction_known = (flags & 32) != 0;

  const char* rest = reinterpret_cast<const char*>(d);
  size_t rest_len = size - kHeader;
  const void* nul = std::memchr(rest, 0, rest_len);
  size_t tlen = nul ? static_cast<const char*>(nul) - rest : rest_len;
  std::string text(rest, tlen);
  std::string raw = nul ? std::string(rest + tlen + 1, rest_len - tlen - 1) : std::string();

  try {
    auto tmpl = output::FilenameTemplate::parse(text, (flags & 64) != 0);
    std::string rendered = tmpl.render(info);
    check_path(text, output::sanitize_relative_path(rendered));
    std::string base = tmpl.render_base(info);
    check_path(text, output::sanitize_relative_path(base));
  } catch (const std::exception&) {
    // A bad template is a usage error at startup: fine.
  }
  if (nul) check_path(raw, output::sanitize_relative_path(raw));
  return 0;
}
