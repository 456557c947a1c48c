// The immutable run configuration, built once from the command line by
// parse_options() and validated there. Everything else receives it by const&.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reassembly/reassembler.h"

namespace tcpflow::app {

enum class ConsoleMode : uint8_t { kNone, kWithHeader /* -c */, kNoHeader /* -C */ };

struct Config {
  // Inputs.
  std::vector<std::string> read_files;    // -r (in order) and the -l list
  std::vector<std::string> resume_files;  // -R: only continue connections already open
  std::string interface;                  // -i
  bool live = false;                      // -i given
  bool promiscuous = true;                // -p clears
  std::string bpf_expression;             // trailing words, joined by spaces

  // Output.
  std::string outdir = ".";               // -o
  std::string filename_template = "%A.%a-%B.%b%V%v%C%c";  // after -T and -F rewrites
  bool always_count = false;              // -Fc: %c/%C render even for count 0
  bool store_flows = true;                // -FX clears
  bool md5_every_flow = false;            // -FM
  bool write_findx = false;               // -I
  bool split_pcap = false;                // -K
  std::string unprocessed_pcap;           // -w
  bool keep_closed_flows = false;         // -P
  int max_fds = 0;                        // -f (0: from getrlimit)

  // Reassembly.
  uint64_t max_bytes = UINT64_MAX;        // -b
  uint64_t max_seek = 16ull << 20;        // -m
  reassembly::OverlapPolicy overlap = reassembly::OverlapPolicy::kFirstWins;  // --overlap

  // Report.
  bool report_enabled = true;             // -S enable_report=NO clears
  std::string report_path;                // -X (empty: OUTDIR/report.xml)
  std::string jsonl_path;                 // -S jsonl=FILE

  // Console.
  ConsoleMode console = ConsoleMode::kNone;
  bool console_strip_nonprintable = false;  // -s
  bool console_hexdump = false;             // -D
  bool console_binary = false;              // -B
  bool console_no_newline = false;          // -0
  bool console_color = false;               // -g
  bool force_color = false;                 // -S force_color=YES: -g even off a terminal
  bool console_json = false;                // -J

  // Scanners.
  std::vector<std::string> enable_scanners;   // -e
  std::vector<std::string> disable_scanners;  // -x
  std::string exclusive_scanner;              // -E
  bool all_scanners = false;                  // -a
  bool gunzip_http = true;                    // -Z clears

  // Process.
  std::string drop_user;       // -U
  std::string chroot_dir;      // -z
  std::string semaphore_name;  // -L
  int debug_level = 1;         // -d, -v
  int threads = 0;             // -j (0: the number of cores; 1: everything on one thread)
  bool quiet = false;          // -q
  std::string command_line;    // argv joined, for the report

  // -S name=value settings, after validation against the settings registry.
  std::map<std::string, std::string> settings;
  double tcp_timeout_sec = 0;        // -S tcp_timeout (0: never)
  int packet_buffer_timeout_ms = 10; // -S packet-buffer-timeout
  uint64_t max_flows = 1000000;      // -S max_flows: open connections in the table
  uint64_t max_held_bytes = 256ull << 20;  // -S max_held_bytes: out-of-order data in memory
  double tdelta_sec = 0;             // -S tdelta: added to every packet timestamp
  std::string tcp_cmd;               // -S tcp_cmd: run with the file path per closed flow
  int tcp_cmd_jobs = 4;              // -S tcp_cmd_jobs: tcp_cmd children alive at once
  int tcp_alert_fd = -1;             // -S tcp_alert_fd: open/close notices (-1: off)
  std::string http_cmd;              // -S http_cmd: run per extracted HTTP body
  int http_alert_fd = -1;            // -S http_alert_fd: HTTP body notices (-1: off)
  uint64_t http_max_body = 64ull << 20;       // -S http_max_body: bytes per decoded body
  uint64_t max_fragment_bytes = 64ull << 20;  // -S max_fragment_bytes: IP fragments held
  double fragment_timeout_sec = 60;  // -S fragment_timeout: incomplete datagrams dropped after
  uint64_t max_linger = 1000;       // -S max_linger: closed connections kept for late packets
  std::string py_path;               // -S py_path: directory added to sys.path
  std::string py_module;             // -S py_module
  std::string py_function;           // -S py_function
  bool sha256_inputs = false;        // -S sha256_inputs: hash each input file for the report
};

}  // namespace tcpflow::app
