#include "capture/bpf_filter.h"

#include <cstdio>
#include <utility>

#include "capture/link_type.h"
#include "util/error.h"

namespace tcpflow::capture {
namespace {

constexpr int kFilterSnaplen = 262144;

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

}  // namespace

BpfProgram::~BpfProgram() {
  if (compiled_) pcap_freecode(&program_);
}

bool compile_bpf(const std::string& expression, int link_type, BpfProgram& out, std::string& why) {
  std::unique_ptr<pcap_t, PcapCloser> dead(pcap_open_dead(linktype_to_dlt(link_type), kFilterSnaplen));
  if (!dead) {
    why = "cannot create a pcap handle for link type " + std::to_string(link_type);
    return false;
  }
  if (pcap_compile(dead.get(), out.get(), expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    why = pcap_geterr(dead.get());
    return false;
  }
  out.mark_compiled();
  return true;
}

std::string bad_filter_message(const std::string& expression, const std::string& why) {
  return "bad filter expression '" + expression + "': " + why;
}

BpfFilter::BpfFilter(std::string expression, std::string source_name)
    : expression_(std::move(expression)), source_name_(std::move(source_name)) {}

bool BpfFilter::compile_into_cache(int link_type, std::string& why) {
  for (const Entry& e : entries_)
    if (e.link_type == link_type && e.program) return true;
  auto program = std::make_unique<BpfProgram>();
  if (!compile_bpf(expression_, link_type, *program, why)) return false;
  entries_.push_back(Entry{link_type, std::move(program)});
  return true;
}

void BpfFilter::require(int link_type) {
  std::string why;
  if (!expression_.empty() && !compile_into_cache(link_type, why))
    throw Error(bad_filter_message(expression_, why));
}

void BpfFilter::require_some(int link_type) {
  std::string why;
  if (expression_.empty() || compile_into_cache(link_type, why)) return;
  BpfProgram probe;
  std::string ignored;
  if (link_type != kLinkTypeEthernet &&
      compile_bpf(expression_, kLinkTypeEthernet, probe, ignored)) {
    return;
  }
  throw Error(bad_filter_message(expression_, why));
}

size_t BpfFilter::find_or_compile(int link_type) {
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].link_type == link_type) return i;
  auto program = std::make_unique<BpfProgram>();
  std::string why;
  if (!compile_bpf(expression_, link_type, *program, why)) {
    // Passing them unfiltered would silently break the user's selection;
    // dropping them is the conservative reading of the filter.
    std::fprintf(stderr,
                 "tcpflow: warning: %s: filter '%s' cannot be applied to link type %d (%s); "
                 "its packets are filtered out\n",
                 source_name_.c_str(), expression_.c_str(), link_type, why.c_str());
    program.reset();
  }
  entries_.push_back(Entry{link_type, std::move(program)});
  return entries_.size() - 1;
}

bool BpfFilter::run(const Entry& entry, const Record& record) {
  if (!entry.program) return false;
  pcap_pkthdr header{};
  header.caplen = record.caplen;
  header.len = record.wire_len;
  return pcap_offline_filter(entry.program->get(), &header, record.data.data()) != 0;
}

}  // namespace tcpflow::capture
