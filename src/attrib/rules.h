// tcpspy's rule language, which selects the connections a run records:
//   user 1000 | user "joe"      ip | ip6
//   lport 22 | lport 1000-2000 | lport 1024- | lport -1023 | lport "ssh"   (rport likewise)
//   laddr 10.0.0.0/8 | laddr 10.0.0.0/255.0.0.0 | laddr 2001:db8::/32      (raddr likewise)
//   exe "/usr/bin/*"            (glob(7) on the executable's full path; "" = unknown)
// joined with `not`, `and`, `or` (that precedence, each left-associative)
// and parentheses. A rule is parsed once at start-up; a mistake throws
// UsageError naming the rule and the column, so a typo never silently
// selects nothing.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "decode/packet.h"

namespace tcpflow::attrib {

// One end of a connection, as the rules see it: "local" is the end on this
// host (live) or the client (capture files).
struct RuleSubject {
  decode::IpAddress local;
  decode::IpAddress remote;
  uint16_t local_port = 0;
  uint16_t remote_port = 0;
  std::optional<uint32_t> uid;     // unknown: `user` never matches
  std::optional<std::string> exe;  // unknown: only `exe ""` matches
};

// Looks up user and service names; the default asks the system (passwd,
// /etc/services), tests pass their own.
struct NameLookup {
  std::function<std::optional<uint32_t>(const std::string&)> user_id;
  std::function<std::optional<uint16_t>(const std::string&)> tcp_port;
  static NameLookup system();
};

class Rule {
 public:
  // Throws UsageError("rule 'TEXT': column N: ...") on a syntax error, an
  // unknown user or service, or an impossible range or mask.
  static Rule parse(const std::string& text, const NameLookup& lookup);

  // `exe_checked`: whether executables are looked up at all; without them
  // (no --processes) an `exe` comparison is true, as in tcpspy.
  bool matches(const RuleSubject& subject, bool exe_checked) const;
  bool uses_exe() const { return uses_exe_; }
  const std::string& text() const { return text_; }

  struct Node;

 private:
  bool eval(size_t node, const RuleSubject& subject, bool exe_checked) const;

  std::string text_;
  std::vector<Node> nodes_;
  size_t root_ = 0;
  bool empty_ = true;
  bool uses_exe_ = false;
};

struct Rule::Node {
  enum class Kind : uint8_t { kOr, kAnd, kNot, kUser, kIp, kIp6, kLport, kRport, kLaddr, kRaddr, kExe };
  Kind kind = Kind::kIp;
  size_t left = 0;
  size_t right = 0;
  uint32_t low = 0;   // user id, or the port range
  uint32_t high = 0;
  decode::IpAddress net;  // network address, already masked
  uint8_t prefix = 0;     // mask length in bits
  std::string pattern;    // exe glob
};

// Every --rule and --rules-file of a run. With none, every connection is
// kept; with any (even an empty file), a connection is kept when one matches.
class RuleSet {
 public:
  void add(Rule rule);
  // One rule a line; `#` starts a comment outside quotes; blank lines are
  // skipped. Throws Error if the file cannot be read and UsageError (naming
  // the file and line) for a bad rule.
  void add_file(const std::string& path, const NameLookup& lookup);

  bool active() const { return active_; }
  bool uses_exe() const;
  bool matches(const RuleSubject& subject, bool exe_checked) const;
  size_t size() const { return rules_.size(); }

 private:
  std::vector<Rule> rules_;
  bool active_ = false;
};

}  // namespace tcpflow::attrib
