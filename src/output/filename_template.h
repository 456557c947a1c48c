// Flow file names from a -T template. The template is parsed and validated
// once at startup (a bad code is a usage error then, never mid-capture), and
// rendering is a pure function of the FlowInfo so it can run for millions of
// flows without touching globals or the filesystem.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flow/flow_info.h"
#include "flow/process_info.h"

namespace tcpflow::output {

class FilenameTemplate {
 public:
  // Codes a template may contain; each renders one field of the FlowInfo.
  enum class Code : uint8_t {
    kLiteral,
    kSrcAddr,       // %A
    kDstAddr,       // %B
    kSrcPort,       // %a
    kDstPort,       // %b
    kSrcMac,        // %E
    kDstMac,        // %e
    kVlanMarker,    // %V
    kVlanId,        // %v
    kIsoTime,       // %T
    kUnixTime,      // %t
    kCount,         // %c
    kCountMarker,   // %C
    kCountAlways,   // %#
    kFlowIdN,       // %N
    kFlowIdK,       // %K
    kFlowIdM,       // %M
    kFlowIdG,       // %G
    kConnectionId,  // %S
    kTunnel,        // %W ("wrapper"): the innermost tunnel, e.g. vxlan100_192.0.2.1-192.0.2.2 (empty if none)
    kLocalUser,     // %U: the user of the process owning the end on this host (--processes)
    kLocalCommand,  // %P: that process's command name; both "unknown" when not known
  };

  // What %U and %P render when no process is known.
  static constexpr const char* kUnknownProcess = "unknown";

  // The marker the count codes render as in render_base(). A control
  // character, so it can never come out of render() after sanitizing.
  static constexpr char kCountMarker = '\x01';

  // Throws UsageError on an unknown % code or a trailing lone %.
  // always_count (-Fc) makes %c and %C render for count 0 too.
  static FilenameTemplate parse(const std::string& text, bool always_count = false);

  // The name for this flow, using info.connection_count for the count codes
  // and `local` (the process owning the flow's end on this host, null when
  // unknown) for %U and %P.
  std::string render(const flow::FlowInfo& info, const flow::ProcessInfo* local = nullptr) const;

  // The same name with every count code (%c %C %#) replaced by kCountMarker:
  // flows with equal bases differ only in their count, so the caller counts
  // files per base to find each flow's connection_count.
  std::string render_base(const flow::FlowInfo& info,
                          const flow::ProcessInfo* local = nullptr) const;
  // Either of the two (`base`: render_base's) appended to `out`, for a caller
  // that reuses one buffer for every flow.
  void render_into(const flow::FlowInfo& info, const flow::ProcessInfo* local, bool base,
                   std::string& out) const;

  // True when %c or %# makes names of reused 4-tuples distinct.
  bool has_count_code() const { return has_count_code_; }
  bool has_tunnel_code() const { return has_tunnel_code_; }
  bool has_process_code() const { return has_process_code_; }
  bool always_count() const { return always_count_; }
  const std::string& text() const { return text_; }

 private:
  struct Part {
    Code code = Code::kLiteral;
    std::string literal;  // only for kLiteral
  };

  std::string text_;
  std::vector<Part> parts_;
  size_t literal_bytes_ = 0;
  bool always_count_ = false;
  bool has_count_code_ = false;
  bool has_tunnel_code_ = false;
  bool has_process_code_ = false;
};

// Makes a rendered name safe to open under the output directory: the result
// is always a non-empty relative path that cannot leave that directory.
// Leading and repeated '/' are dropped, '.' components are skipped, '..'
// becomes '_..', NUL and control characters become '_', and components longer
// than NAME_MAX (255 bytes) are cut.
std::string sanitize_relative_path(std::string_view rendered);
// The same, appended to `out`.
void sanitize_relative_path_into(std::string_view rendered, std::string& out);

}  // namespace tcpflow::output
