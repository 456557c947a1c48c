// Named anomaly and activity counters. The hot path increments these instead
// of throwing; the report prints every non-zero one by name.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace tcpflow {

// X(enumerator, "report name", "what it counts")
#define TCPFLOW_COUNTERS(X)                                                                  \
  X(kPacketsRead, "packets_read", "records read from all inputs")                            \
  X(kBytesRead, "bytes_read", "captured bytes read from all inputs")                         \
  X(kTcpPackets, "tcp_packets", "TCP segments decoded")                                      \
  X(kNonTcpPackets, "non_tcp_packets", "packets that were not TCP")                          \
  X(kUnsupportedLinkType, "unsupported_link_type", "packets or files of a link type we do not decode") \
  X(kTruncatedLinkHeader, "truncated_link_header", "frames too short for their link header") \
  X(kUnknownEthertype, "unknown_ethertype", "frames whose network protocol is not IP")       \
  X(kTruncatedIpHeader, "truncated_ip_header", "IP headers cut short by the capture")        \
  X(kBadIpHeader, "bad_ip_header", "IP headers with an impossible version or length")        \
  X(kBadIpChecksum, "bad_ip_checksum", "IPv4 headers whose checksum is wrong")               \
  X(kIpLengthZero, "ip_length_zero", "IPv4 total length 0 (TSO): captured length used")      \
  X(kIpLengthBeyondCapture, "ip_length_beyond_capture", "IP length larger than the captured bytes") \
  X(kIpv6ExtHeaderBad, "ipv6_ext_header_bad", "IPv6 extension header chains that could not be walked") \
  X(kTunnelIp4InIp, "tunnel_ip4_in_ip", "packets that crossed an IPv4-in-IP tunnel (protocol 4)") \
  X(kTunnelIp6InIp, "tunnel_ip6_in_ip", "packets that crossed an IPv6-in-IP tunnel (protocol 41)") \
  X(kTunnelGre, "tunnel_gre", "packets that crossed a GRE tunnel")                         \
  X(kTunnelErspan, "tunnel_erspan", "packets that crossed an ERSPAN (GRE) mirror session")  \
  X(kTunnelVxlan, "tunnel_vxlan", "packets that crossed a VXLAN tunnel")                   \
  X(kTunnelGeneve, "tunnel_geneve", "packets that crossed a Geneve tunnel")                \
  X(kTunnelGtpu, "tunnel_gtpu", "packets that crossed a GTP-U tunnel")                     \
  X(kTunnelTeredo, "tunnel_teredo", "packets that crossed a Teredo tunnel")                \
  X(kTunnelControl, "tunnel_control", "tunnel messages without user data (GTP-U echo, end marker)") \
  X(kTunnelTruncated, "tunnel_truncated", "tunnel headers cut short by the capture")       \
  X(kTunnelMalformed, "tunnel_malformed", "tunnel headers with an impossible version, flag or length") \
  X(kTunnelUnknownNext, "tunnel_unknown_next", "tunnels carrying a protocol we do not decode") \
  X(kTunnelTooDeep, "tunnel_too_deep", "packets nested in more tunnels than the depth limit (8)") \
  X(kFragments, "fragments", "IP fragments received")                                        \
  X(kFragmentsReassembled, "fragments_reassembled", "datagrams rebuilt from fragments")      \
  X(kFragmentsTimedOut, "fragments_timed_out", "fragment sets dropped after the timeout")    \
  X(kFragmentsOverLimit, "fragments_over_limit", "fragment sets dropped by the memory limit") \
  X(kFragmentsBad, "fragments_bad", "fragments with impossible offsets or lengths")          \
  X(kFragmentOverlapConflicts, "fragment_overlap_conflicts", "fragment overlaps with different bytes (first kept)") \
  X(kTruncatedTcpHeader, "truncated_tcp_header", "TCP headers cut short by the capture")     \
  X(kBadTcpHeader, "bad_tcp_header", "TCP headers with an impossible data offset")           \
  X(kTcpChecksumBad, "tcp_checksum_bad", "TCP segments whose checksum is wrong")             \
  X(kTcpChecksumUnverified, "tcp_checksum_unverified", "TCP segments not complete enough to verify") \
  X(kTcpChecksumBadReplaced, "tcp_checksum_bad_replaced", "bytes of corrupted copies (bad TCP or IPv4 header checksum) replaced by a good copy") \
  X(kTcpPayloadTruncated, "tcp_payload_truncated", "TCP payload cut short by the capture snap length") \
  X(kFlowsCreated, "flows_created", "flow directions created")                               \
  X(kConnectionsCreated, "connections_created", "connections created")                       \
  X(kFlowFilesWritten, "flow_files_written", "flow files written")                           \
  X(kSegmentsBeforeStart, "segments_before_start", "segments before the stream start (dropped)") \
  X(kSeekJumps, "seek_jumps", "sequence jumps beyond -m that started a new file")            \
  X(kDuplicateBytes, "duplicate_bytes", "bytes received again with the same content")        \
  X(kOverlapConflicts, "overlap_conflicts", "overlapping copies whose bytes differed")       \
  X(kOverlapConflictBytes, "overlap_conflict_bytes", "bytes that differed between copies")   \
  X(kGaps, "gaps", "holes never filled (written as zero bytes)")                             \
  X(kGapBytes, "gap_bytes", "bytes in holes never filled")                                   \
  X(kOutOfOrderSpills, "out_of_order_spills", "out-of-order blocks written early by the memory budget") \
  X(kBytesCapped, "bytes_capped", "bytes not stored because of -b")                          \
  X(kStreamShifts, "stream_shifts", "flow files moved later: a lower start arrived after the midstream hold") \
  X(kDataAfterClose, "data_after_close", "data segments for a connection already closed (still stored)") \
  X(kFlowsExpired, "flows_expired", "flows closed by the idle timeout")                      \
  X(kFlowsEvicted, "flows_evicted", "flows closed because the flow table was full")          \
  X(kWriteErrors, "write_errors", "flow file writes that failed")                            \
  X(kTruncatedInput, "truncated_input", "input files that ended inside a record")            \
  X(kInputErrors, "input_errors", "input files that could not be read") \
  X(kUnprocessedLinkTypeMismatch, "unprocessed_link_type_mismatch", "-w packets not written: link type differs from the file's") \
  X(kTcpCmdRuns, "tcp_cmd_runs", "-S tcp_cmd commands started") \
  X(kTcpCmdFailures, "tcp_cmd_failures", "-S tcp_cmd commands that failed to start, exited non-zero or died") \
  X(kPythonErrors, "python_errors", "flows whose python scanner function raised an exception") \
  X(kHttpMessages, "http_messages", "HTTP messages parsed by the http scanner") \
  X(kHttpBodyFiles, "http_body_files", "HTTP body files written") \
  X(kHttpMalformedFlows, "http_malformed_flows", "HTTP flows whose parsing stopped at a malformed head or chunk") \
  X(kHttpDecompressFailed, "http_decompress_failed", "HTTP bodies kept as received because decoding failed") \
  X(kHttpBodiesCapped, "http_bodies_capped", "HTTP body files cut at -S http_max_body") \
  X(kProcessEndsFound, "process_ends_found", "--processes: local connection ends whose process was found") \
  X(kProcessEndsUnknown, "process_ends_unknown", "--processes: local connection ends whose process stayed unknown") \
  X(kProcessLookupsDropped, "process_lookups_dropped", "--processes: lookups not made because the lookup queue was full")

enum class Counter : uint16_t {
#define TCPFLOW_ENUM(name, text, doc) name,
  TCPFLOW_COUNTERS(TCPFLOW_ENUM)
#undef TCPFLOW_ENUM
      kCount
};

constexpr size_t kCounterCount = static_cast<size_t>(Counter::kCount);

inline std::string_view counter_name(Counter c) {
  static constexpr std::string_view kNames[] = {
#define TCPFLOW_NAME(name, text, doc) text,
      TCPFLOW_COUNTERS(TCPFLOW_NAME)
#undef TCPFLOW_NAME
  };
  return kNames[static_cast<size_t>(c)];
}

inline std::string_view counter_description(Counter c) {
  static constexpr std::string_view kDocs[] = {
#define TCPFLOW_DOC(name, text, doc) doc,
      TCPFLOW_COUNTERS(TCPFLOW_DOC)
#undef TCPFLOW_DOC
  };
  return kDocs[static_cast<size_t>(c)];
}

class Stats {
 public:
  void add(Counter c, uint64_t n = 1) { values_[static_cast<size_t>(c)] += n; }
  // Takes back what add() counted (a --shard run uncounts other shards' flows).
  void remove(Counter c, uint64_t n) { values_[static_cast<size_t>(c)] -= n; }
  uint64_t get(Counter c) const { return values_[static_cast<size_t>(c)]; }
  void merge(const Stats& other) {
    for (size_t i = 0; i < kCounterCount; ++i) values_[i] += other.values_[i];
  }

 private:
  std::array<uint64_t, kCounterCount> values_{};
};

}  // namespace tcpflow
