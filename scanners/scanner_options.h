// What a run tells the scanners: which ones run (-e, -x, -E, -a, -FM) and
// the settings they read. Plain data, part of Config.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tcpflow::scanners {

// Run-wide settings scanners read (from -o, -Z and -S).
struct ScannerOptions {
  std::string outdir = ".";          // where scanners may write derived files
  bool decompress_http = true;       // -Z clears: keep HTTP bodies as sent
  uint64_t http_max_body = 64ull << 20;  // -S http_max_body: bytes per decoded body
  std::string http_cmd;              // -S http_cmd: run on each extracted body
  int http_alert_fd = -1;            // -S http_alert_fd: one line per extracted body
  std::string py_path;               // -S py_path
  std::string py_module;             // -S py_module
  std::string py_function;           // -S py_function
  std::string netviz_formats = "pdf,png";  // -S netviz_formats
};

// Which scanners run, applied in ScannerSet::select.
struct ScannerSelection {
  std::vector<std::string> enable;   // -e NAME ("all" enables every scanner)
  std::vector<std::string> disable;  // -x NAME
  std::string exclusive;             // -E NAME: only NAME
  bool all = false;                  // -a
  bool md5_every_flow = false;       // -FM
};

}  // namespace tcpflow::scanners
