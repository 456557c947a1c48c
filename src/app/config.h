// The immutable run configuration, built once from the command line by
// parse_options() and validated there. Everything else receives it by const&.
// Each module's options are its own plain struct, held here whole, so the
// pipeline hands them over without copying fields.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/attrib_config.h"
#include "decode/defrag_limits.h"
#include "decode/tunnel.h"
#include "flow/shard.h"
#include "flow/flow_table_config.h"
#include "output/console_options.h"
#include "output/file_compressor.h"
#include "proxy/proxy_options.h"
#include "scanners/scanner_options.h"

namespace tcpflow::app {

enum class ConsoleMode : uint8_t { kNone, kWithHeader /* -c */, kNoHeader /* -C */ };

struct Config {
  // Inputs.
  std::vector<std::string> read_files;    // -r (in order) and the -l list
  std::vector<std::string> resume_files;  // -R: only continue connections already open
  std::string interface;                  // -i
  bool live = false;                      // -i given
  bool promiscuous = true;                // -p clears
  size_t capture_buffer_bytes = 0;        // --buffer-size (0: capture::kDefaultCaptureBufferBytes)
  std::string bpf_expression;             // trailing words, joined by spaces
  bool merge_inputs = false;              // --merge-inputs: -r files read as one, by packet time
  proxy::ProxyOptions proxy;              // --proxy/--proxy-to...: relay and record, no capture

  // Sharding (doc/SHARDING.md): report_path and jsonl_path already carry the
  // ".shard-K-of-N" infix when shard.active().
  flow::ShardSpec shard;                  // --shard K/N
  std::string shard_options;              // argv without the program and K, for the merge's check
  bool merge_reports = false;             // --merge-reports: join a sharded run's reports, no capture

  // Output.
  std::string outdir = ".";               // -o
  std::string filename_template = "%A.%a-%B.%b%V%v%C%c";  // after -T and -F rewrites
  bool always_count = false;              // -Fc: %c/%C render even for count 0
  bool store_flows = true;                // -FX clears
  bool write_findx = false;               // -I
  bool split_pcap = false;                // -K
  std::string unprocessed_pcap;           // -w
  int max_fds = 0;                        // -f (0: from getrlimit)

  // Reassembly and the flow table: -b (reassembly.max_stored), -m
  // (reassembly.max_seek), --overlap, -P (keep_closed), -S max_flows
  // (max_connections), -S tcp_timeout (idle_timeout_sec), -S max_linger.
  flow::FlowTableConfig table;
  decode::DefragLimits defrag;            // -S max_fragment_bytes, -S fragment_timeout
  decode::TunnelConfig tunnels;           // -S decode_tunnels, -S vxlan/geneve/gtpu_ports

  // Report.
  bool report_enabled = true;             // -S enable_report=NO clears
  std::string report_path;                // -X (empty: OUTDIR/report.xml)
  std::string jsonl_path;                 // -S jsonl=FILE

  // Console.
  ConsoleMode console = ConsoleMode::kNone;
  bool console_strip_nonprintable = false;  // -s
  output::ConsoleOptions console_options;   // -B -D -0 -g -J -L, -S force_color

  // Flow files compressed once complete: --compress, -S compress_level.
  output::CompressionOptions compression;

  // Scanners.
  scanners::ScannerSelection scanners;      // -e -x -E -a -FM
  scanners::ScannerOptions scanner_options; // -Z, -S http_*, -S py_*; outdir from -o
  std::string netviz_from;                  // --netviz-from DIR: draw DIR/report.xml, no capture

  // Who made each connection: --connlog, --rule, --processes, --snoop.
  AttribConfig attrib;

  // Process.
  std::string drop_user;       // -U
  std::string chroot_dir;      // -z
  int debug_level = 1;         // -d, -v
  int threads = 0;             // -j (0: the number of cores; 1: everything on one thread)
  bool quiet = false;          // -q
  std::string command_line;    // argv joined, for the report
  std::string pidfile;         // --pidfile

  // -S name=value settings, after validation against the settings registry.
  std::map<std::string, std::string> settings;
  int packet_buffer_timeout_ms = 10; // -S packet-buffer-timeout
  uint64_t max_held_bytes = 256ull << 20;  // -S max_held_bytes: out-of-order data in memory
  double tdelta_sec = 0;             // -S tdelta: added to every packet timestamp
  std::string tcp_cmd;               // -S tcp_cmd: run with the file path per closed flow
  int tcp_cmd_jobs = 4;              // -S tcp_cmd_jobs: tcp_cmd children alive at once
  int tcp_alert_fd = -1;             // -S tcp_alert_fd: open/close notices (-1: off)
  bool sha256_inputs = false;        // -S sha256_inputs: hash each input file for the report
};

}  // namespace tcpflow::app
