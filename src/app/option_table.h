// The command line's options: one table drives both the parser
// (app/options.cpp) and -h (app/help_text.cpp), so the help cannot list an
// option the parser rejects or miss one it accepts.
#pragma once

namespace tcpflow::app {

enum class Section { kInput, kOutput, kScanners, kConsole, kWho, kProcess };

struct OptionDef {
  char letter;            // short form, or 0
  const char* long_name;  // long form, or nullptr
  const char* arg;        // value placeholder; nullptr for a switch
  Section section;
  const char* help;
};

inline constexpr OptionDef kOptions[] = {
    {'r', nullptr, "FILE", Section::kInput, "read packets from a pcap file ('-': stdin); repeatable"},
    {'R', nullptr, "FILE", Section::kInput,
     "after the -r files, read FILE only to finish open connections"},
    {'l', nullptr, nullptr, Section::kInput,
     "every non-option argument is an input file (no BPF then)"},
    {'i', nullptr, "IFACE", Section::kInput,
     "capture live on IFACE (default device if no input is given)"},
    {'p', nullptr, nullptr, Section::kInput, "live capture without promiscuous mode"},
    {0, "buffer-size", "BYTES", Section::kInput,
     "live capture: the kernel's packet buffer (K/M/G; default 32M), as tcpdump's -B"},
    {0, "merge-inputs", nullptr, Section::kInput,
     "read the -r/-l files as one capture, merged by packet time"},
    {0, "shard", "K/N", Section::kInput,
     "one of N workers: keep the connections whose key hashes to K (0 <= K < N)"},
    {0, "merge-reports", nullptr, Section::kInput,
     "merge the reports of a sharded run in -o DIR into DIR/report.xml, then exit"},
    {0, "proxy", "[HOST:]PORT", Section::kInput,
     "be a recording proxy listening on PORT (all addresses without HOST); repeatable"},
    {0, "proxy-to", "HOST:PORT", Section::kInput, "where the matching --proxy forwards"},
    {0, "proxy-allow", "ADDR[/PREFIX]", Section::kInput,
     "--proxy serves only these clients; repeatable"},
    {0, "proxy-record", "WHICH", Section::kInput,
     "--proxy records both (default), client, server or none"},
    {'o', nullptr, "DIR", Section::kOutput, "write flow files under DIR (default .)"},
    {'T', nullptr, "TEMPLATE", Section::kOutput,
     "flow file name template (default %A.%a-%B.%b%V%v%C%c)"},
    {'F', nullptr, "LETTERS", Section::kOutput,
     "name and output flags, any of c t T X M k m g (see -hh)"},
    {'X', nullptr, "FILE", Section::kOutput, "DFXML report path (default DIR/report.xml)"},
    {'b', nullptr, "N", Section::kOutput,
     "store at most N bytes per flow direction (K/M/G allowed)"},
    {'m', nullptr, "N", Section::kOutput,
     "a sequence jump over N bytes starts a new file (default 16M)"},
    {'f', nullptr, "N", Section::kOutput,
     "at most N flow files open at once (default: open-file limit)"},
    {'I', nullptr, nullptr, Section::kOutput,
     "write FLOW.findx beside each flow: offset|time|length lines"},
    {'K', nullptr, nullptr, Section::kOutput,
     "also write each connection's packets to its own pcap file"},
    {'w', nullptr, "FILE", Section::kOutput,
     "write the packets that were not processed to a pcap file"},
    {'P', nullptr, nullptr, Section::kOutput,
     "keep closed connections in the flow table (no purge)"},
    {0, "overlap", "first|last", Section::kOutput,
     "which copy of differing retransmitted bytes wins (first)"},
    {0, "compress", "gzip|zstd|bzip2", Section::kOutput,
     "compress every flow file: NAME.gz, NAME.zst or NAME.bz2 (-S compress_level=N)"},
    {'e', nullptr, "NAME", Section::kScanners, "enable scanner NAME; repeatable"},
    {'x', nullptr, "NAME", Section::kScanners, "disable scanner NAME; repeatable"},
    {'E', nullptr, "NAME", Section::kScanners, "disable every scanner, then enable NAME"},
    {'a', nullptr, nullptr, Section::kScanners, "enable every scanner"},
    {'A', nullptr, "ARG", Section::kScanners, "obsolete; accepted and ignored"},
    {'Z', nullptr, nullptr, Section::kScanners, "leave gzip/deflate HTTP bodies compressed"},
    {'S', nullptr, "NAME=VALUE", Section::kScanners, "set a parameter (list with -hh); repeatable"},
    {'H', nullptr, nullptr, Section::kScanners, "describe the scanners and exit"},
    {0, "netviz-from", "DIR", Section::kScanners,
     "draw the netviz page from DIR/report.xml into DIR (no capture read)"},
    {'c', nullptr, nullptr, Section::kConsole,
     "print flows on stdout (no flow files), each chunk after its name"},
    {'C', nullptr, nullptr, Section::kConsole, "like -c but without the flow names"},
    {'0', nullptr, nullptr, Section::kConsole, "no newline after each printed chunk"},
    {'s', nullptr, nullptr, Section::kConsole,
     "print non-printable bytes as '.' (the console default)"},
    {'B', nullptr, nullptr, Section::kConsole, "print bytes unchanged"},
    {'D', nullptr, nullptr, Section::kConsole, "print a hex dump"},
    {'g', nullptr, nullptr, Section::kConsole, "print the two directions in different colours"},
    {'J', nullptr, nullptr, Section::kConsole, "print JSON objects (implies -c)"},
    {'L', nullptr, "NAME", Section::kConsole, "hold named semaphore NAME while printing"},
    {0, "connlog", "DEST", Section::kWho,
     "log each connection when it closes to a file (appended; reopened on SIGHUP), "
     "'-' (stdout), 'syslog' or 'syslog:FACILITY'"},
    {0, "connlog-format", "FMT", Section::kWho,
     "connection log format: text (default), json, or a string of %-codes (see -hh)"},
    {0, "rule", "EXPR", Section::kWho,
     "record only connections matching a tcpspy rule (repeatable: any may match)"},
    {0, "rules-file", "FILE", Section::kWho, "rules from FILE, one a line, '#' comments; repeatable"},
    {0, "processes", nullptr, Section::kWho,
     "live: attribute each local connection end to its process (uid, user, pid, cmd, exe)"},
    {0, "snoop", nullptr, Section::kWho,
     "print one line per TCP packet (UID PID LADDR LPORT DR RADDR RPORT SIZE CMD); no flow files"},
    {0, "snoop-time", nullptr, Section::kWho, "--snoop lines start with the packet time"},
    {'U', "relinquish-privileges", "USER", Section::kProcess,
     "become USER once the capture is open"},
    {'z', "chroot", "DIR", Section::kProcess, "chroot to DIR once the capture is open (needs -U)"},
    {'j', "threads", "N", Section::kProcess,
     "threads (default: the number of cores); 2 or more write the flow files on N "
     "threads (at most 8; on a disk, in pairs: one creates, one writes) and decompress "
     "gzip input on another"},
    {0, "pidfile", "FILE", Section::kProcess, "write the process id to FILE (removed at exit)"},
    {'d', nullptr, "N", Section::kProcess, "debug level (default 1)"},
    {'v', "verbose", nullptr, Section::kProcess, "verbose: debug level 10"},
    {'q', nullptr, nullptr, Section::kProcess, "quiet: fewer warnings"},
    {'h', "help", nullptr, Section::kProcess, "this help; -hh for settings and name codes"},
    {'V', "version", nullptr, Section::kProcess, "print the version and exit"},
};

}  // namespace tcpflow::app
