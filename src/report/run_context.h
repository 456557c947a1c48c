// Who produced a report, how, where and with which settings: everything the
// DFXML <creator> and the configuration block record. Gathered once at
// startup, before any privilege drop or chroot (the user name lookup needs
// /etc/passwd).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tcpflow::report {

struct Library {
  std::string name;
  std::string version;
};

struct BuildInfo {
  std::string compiler;          // e.g. "GCC 12.2.0"
  std::string compilation_date;  // xs:dateTime ("2024-05-01T12:00:00"); omitted when empty
  std::string flags;             // e.g. CXXFLAGS/LDFLAGS as configured; omitted when empty
  std::vector<Library> libraries;  // versions of the headers compiled against
};

struct RunContext {
  std::string program = "tcpflow";
  std::string version;
  std::string command_line;
  std::string start_time;  // xs:dateTime, ISO 8601 UTC
  std::string host;
  std::string os_sysname;  // uname -s
  std::string os_release;  // uname -r
  std::string os_version;  // uname -v
  std::string arch;        // uname -m
  std::string uid;
  std::string username;
  BuildInfo build;
  std::vector<Library> runtime_libraries;  // versions actually loaded
  std::vector<std::pair<std::string, std::string>> configuration;  // name/value settings
};

// One input file (or interface) as listed in the report's <source>.
struct InputSource {
  std::string path;
  uint64_t size = 0;
  std::string sha256;  // lower-case hex; omitted when empty
};

// Fills in what this process can find out by itself: start time (now),
// uname, host, uid and user name, the compiler, and build-time and run-time
// versions of zlib, OpenSSL and tinyxml2. The caller adds the program
// version, command line, configuration and the libraries only it links
// against (libpcap's pcap_lib_version(), Boost's BOOST_LIB_VERSION).
RunContext detect_run_context();

// The current time as xs:dateTime in UTC, whole seconds ("2024-05-01T12:00:00Z").
std::string iso8601_now();

}  // namespace tcpflow::report
