// A BPF expression applied in user space to records from files. pcapng files
// may mix link types, and a BPF program is only valid for the link type it
// was compiled for, so one program is compiled per link type, lazily, and
// cached (a file rarely has more than two).
#pragma once
#include <pcap/pcap.h>

#include <memory>
#include <string>
#include <vector>

#include "capture/packet_source.h"

namespace tcpflow::capture {

// RAII for a compiled program (pcap_freecode).
class BpfProgram {
 public:
  BpfProgram() = default;
  ~BpfProgram();
  BpfProgram(const BpfProgram&) = delete;
  BpfProgram& operator=(const BpfProgram&) = delete;

  bpf_program* get() { return &program_; }
  const bpf_program* get() const { return &program_; }
  void mark_compiled() { compiled_ = true; }

 private:
  bpf_program program_{};
  bool compiled_ = false;
};

// Compiles `expression` for the DLT of `link_type`. Returns false with
// libpcap's reason in `why`.
bool compile_bpf(const std::string& expression, int link_type, BpfProgram& out, std::string& why);

// "bad filter expression 'xyz': <reason>"
std::string bad_filter_message(const std::string& expression, const std::string& why);

class BpfFilter {
 public:
  // An empty expression matches everything. `source_name` names the input in
  // warnings.
  BpfFilter(std::string expression, std::string source_name);

  bool empty() const { return expression_.empty(); }
  // Compiles for `link_type` now; throws tcpflow::Error when that fails (a
  // classic pcap has one link type, so a filter that cannot apply to it is
  // as useless as a typo and stops at startup).
  void require(int link_type);
  // Like require(), but when only `link_type` is the problem (the expression
  // compiles for Ethernet) it does not throw: files with several link types
  // then drop just that interface's packets, with a warning.
  void require_some(int link_type);
  // Never throws. Records of a link type the expression cannot be compiled
  // for are rejected, with one warning on stderr per link type.
  bool matches(const Record& record) {
    if (expression_.empty()) return true;
    if (last_ >= entries_.size() || entries_[last_].link_type != record.link_type)
      last_ = find_or_compile(record.link_type);
    return run(entries_[last_], record);
  }

 private:
  struct Entry {
    int link_type = 0;
    std::unique_ptr<BpfProgram> program;  // null: cannot be compiled
  };

  size_t find_or_compile(int link_type);
  bool compile_into_cache(int link_type, std::string& why);
  static bool run(const Entry& entry, const Record& record);

  std::string expression_;
  std::string source_name_;
  std::vector<Entry> entries_;
  size_t last_ = 0;
};

}  // namespace tcpflow::capture
