#include "app/options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace tcpflow::app {
namespace {

ParsedCommandLine parse(std::vector<std::string> args) {
  args.insert(args.begin(), "tcpflow");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

Config run(const std::vector<std::string>& args) {
  ParsedCommandLine p = parse(args);
  EXPECT_EQ(p.action, Action::kRun);
  return p.config;
}

// The UsageError message, or "(no error)".
std::string error_of(const std::vector<std::string>& args) {
  try {
    parse(args);
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line only";
    EXPECT_EQ(e.exit_code(), 2);
    return e.what();
  }
  return "(no error)";
}

const char* const kDefault = "%A.%a-%B.%b%V%v%C%c";

TEST(Options, DefaultsWithOneFile) {
  Config c = run({"-r", "in.pcap"});
  EXPECT_EQ(c.read_files, std::vector<std::string>{"in.pcap"});
  EXPECT_FALSE(c.live);
  EXPECT_EQ(c.outdir, ".");
  EXPECT_EQ(c.filename_template, kDefault);
  EXPECT_FALSE(c.always_count);
  EXPECT_TRUE(c.store_flows);
  EXPECT_EQ(c.console, ConsoleMode::kNone);
  EXPECT_FALSE(c.console_strip_nonprintable);
  EXPECT_EQ(c.bpf_expression, "");
  EXPECT_EQ(c.table.reassembly.max_stored, UINT64_MAX);
  EXPECT_EQ(c.table.reassembly.max_seek, 16u << 20);
  EXPECT_EQ(c.table.overlap, reassembly::OverlapPolicy::kFirstWins);
  EXPECT_EQ(c.debug_level, 1);
  EXPECT_TRUE(c.settings.empty());
}

TEST(Options, NoInputMeansLiveOnTheDefaultDevice) {
  Config c = run({});
  EXPECT_TRUE(c.live);
  EXPECT_EQ(c.interface, "");
  Config d = run({"-i", "eth0", "-p"});
  EXPECT_TRUE(d.live);
  EXPECT_EQ(d.interface, "eth0");
  EXPECT_FALSE(d.promiscuous);
  EXPECT_TRUE(run({"-ieth1"}).live);
  EXPECT_EQ(run({"-ieth1"}).interface, "eth1");
}

TEST(Options, FilesAndInterfaceConflict) {
  const std::string kMsg = "-i cannot be combined with input files (-r, -R, -l)";
  EXPECT_EQ(error_of({"-r", "a.pcap", "-i", "eth0"}), kMsg);
  EXPECT_EQ(error_of({"-i", "eth0", "-R", "b.pcap"}), kMsg);
  EXPECT_EQ(error_of({"-i", "eth0", "-l", "a.pcap"}), kMsg);
}

TEST(Options, RepeatableInputsKeepTheirOrder) {
  Config c = run({"-r", "1.pcap", "-R", "x.pcap", "-r2.pcap", "-r", "-", "-R", "y.pcap"});
  EXPECT_EQ(c.read_files, (std::vector<std::string>{"1.pcap", "2.pcap", "-"}));
  EXPECT_EQ(c.resume_files, (std::vector<std::string>{"x.pcap", "y.pcap"}));
  EXPECT_FALSE(c.live);
  Config r = run({"-R", "only.pcap"});
  EXPECT_FALSE(r.live);
  EXPECT_TRUE(r.read_files.empty());
}

TEST(Options, DashLTakesEveryWordAsAFile) {
  Config c = run({"-o", "out", "-r", "first.pcap", "-l", "a.pcap", "b.pcap", "c d.pcap"});
  EXPECT_EQ(c.read_files,
            (std::vector<std::string>{"first.pcap", "a.pcap", "b.pcap", "c d.pcap"}));
  EXPECT_EQ(c.bpf_expression, "");
  EXPECT_FALSE(c.live);
  // The words may come before -l too, as with getopt's argument permutation.
  EXPECT_EQ(run({"a.pcap", "-l"}).read_files, std::vector<std::string>{"a.pcap"});
}

TEST(Options, DashLWithoutFileNamesIsAnError) {
  // Not a live capture on the default device.
  EXPECT_EQ(error_of({"-l"}), "-l expects capture file names after the options");
  EXPECT_EQ(error_of({"-o", "out", "-l"}), "-l expects capture file names after the options");
  EXPECT_EQ(run({"-l", "-r", "a.pcap"}).read_files, std::vector<std::string>{"a.pcap"});
}

TEST(Options, BpfExpressionIsJoinedWithSingleSpaces) {
  EXPECT_EQ(run({"-r", "x", "tcp", "and", "port", "80"}).bpf_expression, "tcp and port 80");
  EXPECT_EQ(run({"-r", "x", "host 10.0.0.1", "and", "port 80"}).bpf_expression,
            "host 10.0.0.1 and port 80");
  EXPECT_EQ(run({"port", "22", "-r", "x"}).bpf_expression, "port 22");
  EXPECT_EQ(run({"-r", "x", "--", "-weird", "word"}).bpf_expression, "-weird word");
  EXPECT_EQ(run({"-i", "lo", "tcp"}).bpf_expression, "tcp");
}

TEST(Options, StickyAndSeparateValues) {
  EXPECT_EQ(run({"-r", "x", "-b100"}).table.reassembly.max_stored, 100u);
  EXPECT_EQ(run({"-r", "x", "-b", "100"}).table.reassembly.max_stored, 100u);
  EXPECT_EQ(run({"-r", "x", "-b0"}).table.reassembly.max_stored, 0u);
  EXPECT_EQ(run({"-r", "x", "-b", "64K"}).table.reassembly.max_stored, 65536u);
  EXPECT_EQ(run({"-r", "x", "-m16M"}).table.reassembly.max_seek, 16u << 20);
  EXPECT_EQ(run({"-r", "x", "-m", "1g"}).table.reassembly.max_seek, 1ull << 30);
  EXPECT_EQ(run({"-r", "x", "-f2"}).max_fds, 2);
  EXPECT_EQ(run({"-rx", "-oout"}).outdir, "out");
  EXPECT_EQ(run({"-r", "x", "-T%A/%a"}).filename_template, "%A/%a%C%c");
  EXPECT_EQ(run({"-r", "x", "-T%A/%a/%B/%b.flow"}).filename_template, "%A/%a/%B/%b.flow%C%c");
}

TEST(Options, GroupedSwitches) {
  Config c = run({"-aBcs", "-r", "x"});
  EXPECT_TRUE(c.scanners.all);
  EXPECT_TRUE(c.console_options.binary);
  EXPECT_EQ(c.console, ConsoleMode::kWithHeader);
  EXPECT_FALSE(c.console_strip_nonprintable);  // -B wins over -s
  Config d = run({"-pqIKPZ", "-r", "x"});
  EXPECT_FALSE(d.promiscuous);
  EXPECT_TRUE(d.quiet);
  EXPECT_TRUE(d.write_findx);
  EXPECT_TRUE(d.split_pcap);
  EXPECT_TRUE(d.table.keep_closed);
  EXPECT_FALSE(d.scanner_options.decompress_http);
  // A grouped switch followed by an option that takes a value.
  Config e = run({"-cFk", "-r", "x"});
  EXPECT_EQ(e.console, ConsoleMode::kWithHeader);
  EXPECT_EQ(e.filename_template, std::string("%K/") + kDefault);
}

TEST(Options, HelpVersionAndScannerHelp) {
  EXPECT_EQ(parse({"-h"}).action, Action::kHelp);
  EXPECT_EQ(parse({"--help"}).action, Action::kHelp);
  EXPECT_EQ(parse({"-hh"}).action, Action::kMoreHelp);
  EXPECT_EQ(parse({"-h", "-h"}).action, Action::kMoreHelp);
  EXPECT_EQ(parse({"-h", "--help"}).action, Action::kMoreHelp);
  EXPECT_EQ(parse({"-hhh"}).action, Action::kMoreHelp);
  EXPECT_EQ(parse({"-H"}).action, Action::kScannerHelp);
  EXPECT_EQ(parse({"-V"}).action, Action::kVersion);
  EXPECT_EQ(parse({"--version"}).action, Action::kVersion);
  // The first of them wins; the rest of the line is not validated.
  EXPECT_EQ(parse({"-V", "-h"}).action, Action::kVersion);
  EXPECT_EQ(parse({"-hV"}).action, Action::kHelp);
  EXPECT_EQ(parse({"-r", "x", "-i", "eth0", "-h"}).action, Action::kHelp);
  // Syntax errors still win: the command line could not be read.
  EXPECT_EQ(error_of({"-h", "-Y"}), "unrecognised option '-Y'");
}

TEST(Options, EveryFLetter) {
  Config c = run({"-r", "x", "-Fc"});
  EXPECT_TRUE(c.always_count);
  EXPECT_EQ(c.filename_template, kDefault);
  EXPECT_EQ(run({"-r", "x", "-Ft"}).filename_template, std::string("%tT") + kDefault);
  EXPECT_EQ(run({"-r", "x", "-FT"}).filename_template, std::string("%T") + kDefault);
  Config x = run({"-r", "x", "-FX"});
  EXPECT_FALSE(x.store_flows);
  EXPECT_EQ(x.filename_template, kDefault);
  Config m = run({"-r", "x", "-FM"});
  EXPECT_TRUE(m.scanners.md5_every_flow);
  EXPECT_EQ(m.filename_template, kDefault);
  EXPECT_EQ(run({"-r", "x", "-Fk"}).filename_template, std::string("%K/") + kDefault);
  EXPECT_EQ(run({"-r", "x", "-Fm"}).filename_template,
            std::string("%M000-%M999/%M%K/") + kDefault);
  EXPECT_EQ(run({"-r", "x", "-Fg"}).filename_template,
            std::string("%G000000-%G999999/%G%M000-%G%M999/%G%M%K/") + kDefault);
}

TEST(Options, FLettersPrefixInTheOrderGiven) {
  // As in tcpflow 1.6.1: -Fkt gives 1000000000T000/..., -Ftk gives 000/1000000000T...
  EXPECT_EQ(run({"-r", "x", "-Fkt"}).filename_template, std::string("%tT%K/") + kDefault);
  EXPECT_EQ(run({"-r", "x", "-Ftk"}).filename_template, std::string("%K/%tT") + kDefault);
  EXPECT_EQ(run({"-r", "x", "-FTt"}).filename_template, std::string("%tT%T") + kDefault);
  EXPECT_EQ(run({"-r", "x", "-Fk", "-Ft"}).filename_template, std::string("%tT%K/") + kDefault);
  Config all = run({"-r", "x", "-FcXMk"});
  EXPECT_TRUE(all.always_count);
  EXPECT_FALSE(all.store_flows);
  EXPECT_TRUE(all.scanners.md5_every_flow);
  EXPECT_EQ(all.filename_template, std::string("%K/") + kDefault);
}

TEST(Options, FLettersApplyToTheTemplateWhereverTComes) {
  // 1.6.1 silently dropped -Fk when -T came after it.
  EXPECT_EQ(run({"-r", "x", "-Fk", "-T", "%A-%B"}).filename_template, "%K/%A-%B%C%c");
  EXPECT_EQ(run({"-r", "x", "-T", "%A-%B", "-Fk"}).filename_template, "%K/%A-%B%C%c");
}

TEST(Options, UnknownFLetter) {
  EXPECT_EQ(error_of({"-r", "x", "-FkQ"}), "unknown -F letter 'Q' (expected any of c t T X M k m g)");
  EXPECT_EQ(error_of({"-r", "x", "-F", "p"}),
            "unknown -F letter 'p' (expected any of c t T X M k m g)");
}

TEST(Options, TemplateCountSuffix) {
  EXPECT_EQ(run({"-r", "x", "-T", "%A"}).filename_template, "%A%C%c");
  EXPECT_EQ(run({"-r", "x", "-T", "%A%c"}).filename_template, "%A%c");
  EXPECT_EQ(run({"-r", "x", "-T", "%A-%#"}).filename_template, "%A-%#");
  EXPECT_EQ(run({"-r", "x", "-T", "%A%C"}).filename_template, "%A%C%C%c");
  EXPECT_EQ(run({"-r", "x", "-T", "100%%"}).filename_template, "100%%%C%c");
  EXPECT_EQ(run({"-r", "x", "-T", "a", "-T", "b"}).filename_template, "b%C%c");
}

TEST(Options, BadTemplates) {
  EXPECT_EQ(error_of({"-r", "x", "-T", "%Q"}), "filename template '%Q' has an unknown code '%Q'");
  EXPECT_EQ(error_of({"-r", "x", "-T", "abc%"}),
            "filename template 'abc%' ends with a lone '%' (use %% for '%')");
}

TEST(Options, ConsoleModes) {
  Config c = run({"-c"});
  EXPECT_EQ(c.console, ConsoleMode::kWithHeader);
  EXPECT_TRUE(c.console_strip_nonprintable);
  Config big_c = run({"-C", "-r", "x"});
  EXPECT_EQ(big_c.console, ConsoleMode::kNoHeader);
  EXPECT_EQ(error_of({"-c", "-C"}), "-c and -C cannot be combined");
  EXPECT_EQ(error_of({"-cC"}), "-c and -C cannot be combined");
  Config j = run({"-J", "-r", "x"});
  EXPECT_TRUE(j.console_options.json);
  EXPECT_EQ(j.console, ConsoleMode::kWithHeader);
  EXPECT_EQ(run({"-J", "-C", "-r", "x"}).console, ConsoleMode::kNoHeader);
  Config h = run({"-c", "-D", "-0", "-g", "-L", "sem", "-r", "x"});
  EXPECT_TRUE(h.console_options.hexdump);
  EXPECT_FALSE(h.console_strip_nonprintable);
  EXPECT_FALSE(h.console_options.newline);
  EXPECT_TRUE(h.console_options.color);
  EXPECT_EQ(h.console_options.semaphore_name, "sem");
  // The modifiers alone do not switch to console output (as in 1.6.1).
  Config alone = run({"-D", "-g", "-r", "x"});
  EXPECT_EQ(alone.console, ConsoleMode::kNone);
  EXPECT_TRUE(run({"-s", "-r", "x"}).console_strip_nonprintable);
}

TEST(Options, PrivilegesAndChroot) {
  EXPECT_EQ(error_of({"-z", "/var/empty", "-r", "x"}),
            "-z (--chroot) needs -U USER: a chroot while still root is no protection");
  EXPECT_EQ(error_of({"--chroot", "/var/empty"}),
            "-z (--chroot) needs -U USER: a chroot while still root is no protection");
  Config c = run({"-z", "/var/empty", "-U", "nobody", "-r", "x"});
  EXPECT_EQ(c.chroot_dir, "/var/empty");
  EXPECT_EQ(c.drop_user, "nobody");
  Config l = run({"--chroot=/jail", "--relinquish-privileges", "daemon", "-r", "x"});
  EXPECT_EQ(l.chroot_dir, "/jail");
  EXPECT_EQ(l.drop_user, "daemon");
  EXPECT_EQ(run({"-U", "nobody", "-r", "x"}).chroot_dir, "");
}

TEST(Options, RepeatableScannersAndSettings) {
  Config c = run({"-e", "http", "-emd5", "-x", "tcpdemux", "-x", "netviz", "-E", "md5", "-r", "x"});
  EXPECT_EQ(c.scanners.enable, (std::vector<std::string>{"http", "md5"}));
  EXPECT_EQ(c.scanners.disable, (std::vector<std::string>{"tcpdemux", "netviz"}));
  EXPECT_EQ(c.scanners.exclusive, "md5");
  Config s = run({"-S", "tcp_timeout=30", "-Smax_flows=10", "-S", "enable_report=NO", "-S",
                  "tcp_timeout=45", "-r", "x"});
  EXPECT_DOUBLE_EQ(s.table.idle_timeout_sec, 45);
  EXPECT_EQ(s.table.max_connections, 10u);
  EXPECT_FALSE(s.report_enabled);
  EXPECT_EQ(s.settings.size(), 3u);
  EXPECT_EQ(s.settings.at("tcp_timeout"), "45");
  EXPECT_EQ(run({"-S", "jsonl=out/index.jsonl", "-r", "x"}).jsonl_path, "out/index.jsonl");
}

TEST(Options, SettingErrors) {
  EXPECT_EQ(error_of({"-S", "bogus=1", "-r", "x"}),
            "unknown setting 'bogus' in -S (tcpflow -hh lists them)");
  EXPECT_EQ(error_of({"-S", "enable_report=perhaps"}),
            "-S enable_report=perhaps: expected YES or NO");
  EXPECT_EQ(error_of({"-S", "enable_report"}), "-S expects name=value, got 'enable_report'");
  EXPECT_EQ(error_of({"-S", "tcp_timeout=soon"}),
            "-S tcp_timeout=soon: expected a number from 0 to 1000000000");
}

TEST(Options, BoolSettingForms) {
  for (const char* v : {"NO", "no", "No", "false", "FALSE", "0"}) {
    EXPECT_FALSE(run({"-S", std::string("enable_report=") + v, "-r", "x"}).report_enabled) << v;
  }
  for (const char* v : {"YES", "yes", "true", "True", "1"}) {
    EXPECT_TRUE(run({"-S", std::string("sha256_inputs=") + v, "-r", "x"}).sha256_inputs) << v;
  }
}

TEST(Options, Overlap) {
  EXPECT_EQ(run({"--overlap=last", "-r", "x"}).table.overlap, reassembly::OverlapPolicy::kLastWins);
  EXPECT_EQ(run({"--overlap", "first", "-r", "x"}).table.overlap, reassembly::OverlapPolicy::kFirstWins);
  EXPECT_EQ(error_of({"--overlap=middle"}), "--overlap expects 'first' or 'last', got 'middle'");
}

TEST(Options, CompressAndItsLevel) {
  EXPECT_EQ(run({"-r", "x"}).compression.codec, output::Codec::kNone);
  EXPECT_EQ(run({"--compress", "gzip", "-r", "x"}).compression.codec, output::Codec::kGzip);
  EXPECT_EQ(run({"--compress=zstd", "-r", "x"}).compression.codec, output::Codec::kZstd);
  Config c = run({"--compress", "bzip2", "-S", "compress_level=3", "-r", "x"});
  EXPECT_EQ(c.compression.codec, output::Codec::kBzip2);
  EXPECT_EQ(c.compression.level, 3);
  EXPECT_EQ(run({"--compress", "zstd", "-S", "compress_level=-5", "-r", "x"}).compression.level, -5);
  EXPECT_EQ(error_of({"--compress", "xz", "-r", "x"}),
            "--compress expects 'gzip', 'zstd' or 'bzip2', got 'xz'");
  EXPECT_EQ(error_of({"-S", "compress_level=3", "-r", "x"}),
            "-S compress_level needs --compress gzip|zstd|bzip2");
  EXPECT_EQ(error_of({"--compress", "gzip", "-S", "compress_level=12", "-r", "x"}),
            "-S compress_level=12: gzip levels go from 1 to 9");
  EXPECT_EQ(error_of({"--compress", "bzip2", "-S", "compress_level=-1", "-r", "x"}),
            "-S compress_level=-1: bzip2 levels go from 1 to 9");
}

TEST(Options, ValueOptions) {
  Config c = run({"-r", "x", "-o", "out", "-X", "r.xml", "-w", "rest.pcap", "-d", "3", "-L", "lk",
                  "-A", "ignored"});
  EXPECT_EQ(c.outdir, "out");
  EXPECT_EQ(c.report_path, "r.xml");
  EXPECT_EQ(c.unprocessed_pcap, "rest.pcap");
  EXPECT_EQ(c.debug_level, 3);
  EXPECT_EQ(run({"-v", "-r", "x"}).debug_level, 10);
  EXPECT_EQ(run({"--verbose", "-r", "x"}).debug_level, 10);
  EXPECT_EQ(run({"-v", "-d", "2", "-r", "x"}).debug_level, 2);  // the last one wins
  EXPECT_EQ(run({"-r", "x", "-o", "a", "-o", "b"}).outdir, "b");
}

TEST(Options, SyntaxErrors) {
  EXPECT_EQ(error_of({"-Y"}), "unrecognised option '-Y'");
  EXPECT_EQ(error_of({"--no-such-option"}), "unrecognised option '--no-such-option'");
  EXPECT_EQ(error_of({"--hel"}), "unrecognised option '--hel'");  // no guessing
  EXPECT_EQ(error_of({"-r"}), "the required argument for option '-r' is missing");
  EXPECT_EQ(error_of({"-r", "x", "-d"}), "the required argument for option '-d' is missing");
  EXPECT_EQ(error_of({"--chroot"}), "the required argument for option '--chroot' is missing");
}

TEST(Options, NumberErrors) {
  EXPECT_EQ(error_of({"-r", "x", "-b", "abc"}),
            "option -b expects a byte count such as 4096, 64K, 16M or 1G, got 'abc'");
  EXPECT_EQ(error_of({"-r", "x", "-m", "-5"}),
            "option -m expects a byte count such as 4096, 64K, 16M or 1G, got '-5'");
  EXPECT_EQ(error_of({"-r", "x", "-b", "1T"}),
            "option -b expects a byte count such as 4096, 64K, 16M or 1G, got '1T'");
  EXPECT_EQ(error_of({"-r", "x", "-f", "10K"}),
            "option -f expects a non-negative integer, got '10K'");
  EXPECT_EQ(error_of({"-r", "x", "-f", "99999999999"}),
            "option -f expects a non-negative integer, got '99999999999'");
  EXPECT_EQ(error_of({"-r", "x", "-d", "high"}),
            "option -d expects a non-negative integer, got 'high'");
}

TEST(Options, CommandLineIsShellQuoted) {
  EXPECT_EQ(run({"-r", "in.pcap", "-T", "%A/%a", "tcp", "port 80"}).command_line,
            "tcpflow -r in.pcap -T %A/%a tcp 'port 80'");
  EXPECT_EQ(run({"-r", "it's.pcap", "-o", ""}).command_line, "tcpflow -r 'it'\\''s.pcap' -o ''");
  EXPECT_EQ(run({"-r", "a$b"}).command_line, "tcpflow -r 'a$b'");
}

TEST(Options, HelpTextListsOptions) {
  std::string h = help_text(false);
  for (const char* opt : {"-r FILE", "-R FILE", "-l", "-i IFACE", "-F LETTERS", "-T TEMPLATE",
                          "-P", "--overlap", "--relinquish-privileges", "--chroot", "-J"}) {
    EXPECT_NE(h.find(opt), std::string::npos) << opt;
  }
  EXPECT_EQ(h.find("-S enable_report=YES"), std::string::npos);  // only with -hh
  std::string more = help_text(true);
  EXPECT_NE(more.find("-S enable_report=YES"), std::string::npos);
  EXPECT_NE(more.find("-S max_linger=1000"), std::string::npos);
  EXPECT_NE(more.find("-Fk"), std::string::npos);
  EXPECT_NE(more.find("%S"), std::string::npos);
}

TEST(Options, VersionText) { EXPECT_EQ(version_text().rfind("tcpflow ", 0), 0u); }

TEST(Options, NetvizFromDrawsAReportAndTakesNoCapture) {
  ParsedCommandLine p = parse({"--netviz-from", "out", "-S", "netviz_formats=svg"});
  EXPECT_EQ(p.action, Action::kNetvizFrom);
  EXPECT_EQ(p.config.netviz_from, "out");
  EXPECT_EQ(p.config.scanner_options.netviz_formats, "svg");
  EXPECT_NE(error_of({"--netviz-from", "out", "-r", "x.pcap"}).find("--netviz-from"),
            std::string::npos);
  EXPECT_EQ(run({"-r", "x.pcap", "-e", "netviz"}).scanners.enable,
            std::vector<std::string>{"netviz"});
}


// Every option the parser takes is in -h: a section left out of the title
// list once hid --connlog, --rule, --processes and --snoop.
TEST(Options, HelpListsEveryLongOption) {
  const std::string help = help_text(false);
  for (const char* name : {"--connlog", "--connlog-format", "--rule", "--rules-file",
                           "--processes", "--snoop", "--snoop-time", "--proxy", "--compress",
                           "--shard", "--merge-reports", "--pidfile"}) {
    EXPECT_NE(help.find(std::string(name) + " "), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace tcpflow::app
