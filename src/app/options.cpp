#include "app/options.h"

#include <boost/program_options.hpp>
#include <algorithm>
#include <climits>
#include <iostream>
#include <string_view>
#include <thread>
#include <vector>

#include "app/attrib_options.h"
#include "app/option_table.h"
#include "app/settings.h"
#include "app/proxy_flags.h"
#include "app/shard_options.h"
#include "output/filename_template.h"
#include "report/connection_log_format.h"
#include "util/error.h"

namespace tcpflow::app {
namespace {

namespace po = boost::program_options;

constexpr const char* kDefaultTemplate = "%A.%a-%B.%b%V%v%C%c";

constexpr const char* kPositional = "expression";

// The key Boost reports for an option: its long name, else "-x".
std::string option_key(const OptionDef& def) {
  if (def.long_name != nullptr) return def.long_name;
  return std::string("-") + def.letter;
}

// Short letter for a key, or 0 for long-only options.
char letter_for_key(const std::string& key) {
  for (const OptionDef& def : kOptions) {
    if (option_key(def) == key) return def.letter;
  }
  return 0;
}

po::options_description build_description() {
  po::options_description desc;
  for (const OptionDef& def : kOptions) {
    std::string names = def.long_name != nullptr ? def.long_name : "";
    if (def.letter != 0) names += std::string(",") + def.letter;
    if (def.arg != nullptr) {
      desc.add_options()(names.c_str(), po::value<std::string>(), def.help);
    } else {
      desc.add_options()(names.c_str(), def.help);
    }
  }
  desc.add_options()(kPositional, po::value<std::vector<std::string>>(), "BPF expression");
  return desc;
}

// Everything gathered from argv before validation.
struct Draft {
  Config config;
  std::string template_text = kDefaultTemplate;
  std::string f_letters;  // every -F, concatenated in order
  bool files_from_args = false;  // -l
  bool saw_c = false;
  bool saw_C = false;
  bool saw_s = false;
  std::string overlap;
  std::string compress;
  ShardFlags shard;  // --shard, --merge-inputs, --merge-reports
  ProxyFlags proxy;  // --proxy, --proxy-to, --proxy-allow, --proxy-record
  AttribFlags attrib;  // --connlog, --rule, --processes, --snoop and friends
  std::vector<std::string> words;  // positional arguments
  std::vector<std::string> settings;
};

uint64_t parse_number(char letter, const std::string& text, bool allow_suffix, uint64_t max) {
  std::optional<uint64_t> n = parse_unsigned_text(text, allow_suffix);
  if (!n || *n > max) {
    throw UsageError(std::string("option -") + letter + " expects " +
                     (allow_suffix ? "a byte count such as 4096, 64K, 16M or 1G"
                                   : "a non-negative integer") +
                     ", got '" + text + "'");
  }
  return *n;
}

// libpcap takes an int; below a page or two the kernel refuses the ring.
size_t parse_buffer_size(const std::string& text) {
  constexpr uint64_t kMin = 64 << 10;
  constexpr uint64_t kMax = (uint64_t{1} << 31) - 1;
  std::optional<uint64_t> n = parse_unsigned_text(text, true);
  if (!n || *n < kMin || *n > kMax) {
    throw UsageError("--buffer-size expects a byte count from 64K to 2047M, such as 8M, got '" +
                     text + "'");
  }
  return static_cast<size_t>(*n);
}

void apply_option(char letter, const std::string& v, Draft& d) {
  Config& c = d.config;
  switch (letter) {
    case 'r': c.read_files.push_back(v); break;
    case 'R': c.resume_files.push_back(v); break;
    case 'l': d.files_from_args = true; break;
    case 'i': c.interface = v; c.live = true; break;
    case 'p': c.promiscuous = false; break;
    case 'o': c.outdir = v; break;
    case 'T': d.template_text = v; break;
    case 'F': d.f_letters += v; break;
    case 'X': c.report_path = v; break;
    case 'b': c.table.reassembly.max_stored = parse_number(letter, v, true, UINT64_MAX); break;
    case 'm': c.table.reassembly.max_seek = parse_number(letter, v, true, UINT64_MAX); break;
    case 'f': c.max_fds = static_cast<int>(parse_number(letter, v, false, INT_MAX)); break;
    case 'j': c.threads = static_cast<int>(parse_number(letter, v, false, 1024)); break;
    case 'I': c.write_findx = true; break;
    case 'K': c.split_pcap = true; break;
    case 'w': c.unprocessed_pcap = v; break;
    case 'P': c.table.keep_closed = true; break;
    case 'e': c.scanners.enable.push_back(v); break;
    case 'x': c.scanners.disable.push_back(v); break;
    case 'E': c.scanners.exclusive = v; break;
    case 'a': c.scanners.all = true; break;
    case 'A': std::cerr << "tcpflow: -A is obsolete and ignored\n"; break;
    case 'Z': c.scanner_options.decompress_http = false; break;
    case 'S': d.settings.push_back(v); break;
    case 'c': d.saw_c = true; break;
    case 'C': d.saw_C = true; break;
    case '0': c.console_options.newline = false; break;
    case 's': d.saw_s = true; break;
    case 'B': c.console_options.binary = true; break;
    case 'D': c.console_options.hexdump = true; break;
    case 'g': c.console_options.color = true; break;
    case 'J': c.console_options.json = true; break;
    case 'L': c.console_options.semaphore_name = v; break;
    case 'U': c.drop_user = v; break;
    case 'z': c.chroot_dir = v; break;
    case 'd': c.debug_level = static_cast<int>(parse_number(letter, v, false, INT_MAX)); break;
    case 'v': c.debug_level = 10; break;
    case 'q': c.quiet = true; break;
    default: break;
  }
}

// -F letters rewrite the template from the front, in the order given, the way
// tcpflow 1.6.1 does (-Fkt gives %tT%K/...). Unlike 1.6.1 they apply whether
// -T comes before or after -F.
std::string apply_f_letters(const std::string& letters, std::string tmpl, Config& c) {
  for (char letter : letters) {
    switch (letter) {
      case 'c': c.always_count = true; break;
      case 't': tmpl = "%tT" + tmpl; break;
      case 'T': tmpl = "%T" + tmpl; break;
      case 'X': c.store_flows = false; break;
      case 'M': c.scanners.md5_every_flow = true; break;
      case 'k': tmpl = "%K/" + tmpl; break;
      case 'm': tmpl = "%M000-%M999/%M%K/" + tmpl; break;
      case 'g': tmpl = "%G000000-%G999999/%G%M000-%G%M999/%G%M%K/" + tmpl; break;
      default:
        throw UsageError(std::string("unknown -F letter '") + letter +
                         "' (expected any of c t T X M k m g)");
    }
  }
  return tmpl;
}

// Every cross-option rule, applied once; the result is the final Config.
// -S compress_level is checked against the codec's own range once both are known.
void check_compression(const output::CompressionOptions& options) {
  if (options.level == 0) return;
  if (options.codec == output::Codec::kNone) {
    throw UsageError("-S compress_level needs --compress gzip|zstd|bzip2");
  }
  int low = output::codec_min_level(options.codec), high = output::codec_max_level(options.codec);
  if (options.level < low || options.level > high) {
    throw UsageError("-S compress_level=" + std::to_string(options.level) + ": " +
                     output::codec_name(options.codec) + " levels go from " +
                     std::to_string(low) + " to " + std::to_string(high));
  }
}

Config finalize(Draft d) {
  Config& c = d.config;
  if (d.files_from_args) {
    // Without names -l would fall through to a live capture nobody asked for.
    if (d.words.empty() && c.read_files.empty() && c.resume_files.empty()) {
      throw UsageError("-l expects capture file names after the options");
    }
    c.read_files.insert(c.read_files.end(), d.words.begin(), d.words.end());
  } else {
    std::string expr;
    for (const std::string& w : d.words) {
      if (!expr.empty()) expr += ' ';
      expr += w;
    }
    c.bpf_expression = expr;
  }

  bool have_files = !c.read_files.empty() || !c.resume_files.empty();
  if (c.live && have_files) {
    throw UsageError("-i cannot be combined with input files (-r, -R, -l)");
  }
  check_shard_flags(d.shard, c);
  apply_proxy_flags(d.proxy, c);
  // tcpflow's default: the default device (not when merging reports: no capture at all).
  if (!c.live && !have_files && !d.shard.merge_reports && !c.proxy.active()) c.live = true;
  if (c.capture_buffer_bytes > 0 && !c.live) {
    throw UsageError("--buffer-size sizes a live capture's buffer (-i); there is none here");
  }

  if (d.saw_c && d.saw_C) throw UsageError("-c and -C cannot be combined");
  if (d.saw_c) c.console = ConsoleMode::kWithHeader;
  if (d.saw_C) c.console = ConsoleMode::kNoHeader;
  if (c.console_options.json && c.console == ConsoleMode::kNone) {
    c.console = ConsoleMode::kWithHeader;
  }
  c.console_options.header = c.console == ConsoleMode::kWithHeader;
  c.console_strip_nonprintable =
      !c.console_options.binary &&
      (d.saw_s || (c.console != ConsoleMode::kNone && !c.console_options.hexdump));
  if (c.console != ConsoleMode::kNone) {
    // Printed bytes cannot be rewritten, so the console holds more out-of-order data.
    c.table.reassembly.flow_buffer_limit = 64ull << 20;
  }
  apply_attrib_flags(d.attrib, c);
  c.scanner_options.outdir = c.outdir;

  // -j 0 (the default): one thread per core, never fewer than one.
  if (c.threads == 0) {
    c.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }

  if (!c.chroot_dir.empty() && c.drop_user.empty()) {
    throw UsageError("-z (--chroot) needs -U USER: a chroot while still root is no protection");
  }

  if (d.overlap.empty() || d.overlap == "first") {
    c.table.overlap = reassembly::OverlapPolicy::kFirstWins;
  } else if (d.overlap == "last") {
    c.table.overlap = reassembly::OverlapPolicy::kLastWins;
  } else {
    throw UsageError("--overlap expects 'first' or 'last', got '" + d.overlap + "'");
  }

  if (!d.compress.empty()) {
    std::optional<output::Codec> codec = output::parse_codec(d.compress);
    if (!codec) {
      throw UsageError("--compress expects 'gzip', 'zstd' or 'bzip2', got '" + d.compress + "'");
    }
    c.compression.codec = *codec;
  }
  for (const std::string& pair : d.settings) {
    auto [name, value] = split_setting(pair);
    apply_setting(name, value, c);
  }
  check_compression(c.compression);

  // Validate the user's template first so an error quotes what they typed.
  std::string tmpl = d.template_text;
  if (!output::FilenameTemplate::parse(tmpl).has_count_code()) tmpl += "%C%c";
  tmpl = apply_f_letters(d.f_letters, tmpl, c);
  output::FilenameTemplate::parse(tmpl, c.always_count);
  c.filename_template = tmpl;
  apply_shard_flags(d.shard, c);
  return c;
}

// Boost names a short-only option '--r' in its messages; users typed '-r'.
std::string short_option_names(std::string message) {
  for (size_t pos = 0; (pos = message.find("'--", pos)) != std::string::npos; ++pos) {
    if (pos + 4 < message.size() && message[pos + 4] == '\'') message.erase(pos + 1, 1);
  }
  return message;
}

po::parsed_options run_parser(int argc, const char* const* argv) {
  static const po::options_description kDesc = build_description();
  po::positional_options_description positional;
  positional.add(kPositional, -1);
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  int style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;
  try {
    return po::command_line_parser(args).options(kDesc).positional(positional).style(style).run();
  } catch (const po::error& e) {
    throw UsageError(short_option_names(e.what()));
  }
}

}  // namespace

std::string shell_join(int argc, const char* const* argv) {
  static constexpr std::string_view kSafe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-";
  std::string out;
  for (int i = 0; i < argc; ++i) {
    std::string_view word = argv[i];
    if (i) out += ' ';
    if (!word.empty() && word.find_first_not_of(kSafe) == std::string_view::npos) {
      out += word;
      continue;
    }
    out += '\'';
    for (char ch : word) {
      if (ch == '\'') {
        out += "'\\''";
      } else {
        out += ch;
      }
    }
    out += '\'';
  }
  return out;
}

ParsedCommandLine parse_options(int argc, const char* const* argv) {
  po::parsed_options parsed = run_parser(argc, argv);
  ParsedCommandLine result;

  // -h, -V and -H stop the run; the first one given wins, as with getopt.
  // -h is counted rather than stored: Boost rejects a repeated switch.
  int help_count = 0;
  bool decided = false;
  for (const po::option& opt : parsed.options) {
    char letter = opt.position_key >= 0 ? 0 : letter_for_key(opt.string_key);
    if (letter == 'h') ++help_count;
    if (!decided && (letter == 'h' || letter == 'V' || letter == 'H')) {
      decided = true;
      result.action = letter == 'V' ? Action::kVersion
                                    : letter == 'H' ? Action::kScannerHelp : Action::kHelp;
    }
  }
  if (result.action == Action::kHelp && help_count > 1) result.action = Action::kMoreHelp;
  if (decided) return result;

  Draft draft;
  for (const po::option& opt : parsed.options) {
    const std::string value = opt.value.empty() ? std::string() : opt.value.front();
    if (opt.string_key == kPositional) {
      draft.words.insert(draft.words.end(), opt.value.begin(), opt.value.end());
    } else if (opt.string_key == "overlap") {
      draft.overlap = value;
    } else if (opt.string_key == "compress") {
      draft.compress = value;
    } else if (opt.string_key == "buffer-size") {
      draft.config.capture_buffer_bytes = parse_buffer_size(value);
    } else if (opt.string_key == "netviz-from") {
      draft.config.netviz_from = value;
    } else if (opt.string_key == "shard") {
      draft.shard.shard_text = value;
      draft.shard.shard_given = true;
    } else if (opt.string_key == "merge-inputs") {
      draft.shard.merge_inputs = true;
    } else if (opt.string_key == "merge-reports") {
      draft.shard.merge_reports = true;
    } else if (opt.string_key == "proxy") {
      draft.proxy.listen.push_back(value);
    } else if (opt.string_key == "proxy-to") {
      draft.proxy.to.push_back(value);
    } else if (opt.string_key == "proxy-allow") {
      draft.proxy.allow.push_back(value);
    } else if (opt.string_key == "proxy-record") {
      draft.proxy.record = value;
    } else if (opt.string_key == "pidfile") {
      draft.config.pidfile = value;
    } else if (take_attrib_option(opt.string_key, value, draft.attrib)) {
    } else {
      apply_option(letter_for_key(opt.string_key), value, draft);
    }
  }
  result.config = finalize(std::move(draft));
  result.config.command_line = shell_join(argc, argv);
  if (result.config.shard.active()) {
    result.config.shard_options = shard_options_text(argc, argv, result.config.shard);
  }
  if (!result.config.netviz_from.empty()) {
    if (!result.config.read_files.empty() || !result.config.resume_files.empty()) {
      throw UsageError("--netviz-from draws a finished run's report.xml and reads no capture "
                       "(drop -r/-R, or use -e netviz on the capture)");
    }
    result.action = Action::kNetvizFrom;
  }
  return result;
}

}  // namespace tcpflow::app
