#include "attrib/rules.h"

#include <arpa/inet.h>
#include <fnmatch.h>
#include <netdb.h>
#include <pwd.h>

#include <cctype>
#include <fstream>
#include <string_view>

#include "util/error.h"

namespace tcpflow::attrib {

namespace {

using Kind = Rule::Node::Kind;

struct Token {
  enum class Type : uint8_t { kWord, kString, kOpen, kClose, kEnd };
  Type type = Type::kEnd;
  std::string text;
  size_t column = 0;  // 1-based
};

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '/' ||
         c == '-' || c == '_';
}

class Parser {
 public:
  Parser(const std::string& text, const NameLookup& lookup, std::vector<Rule::Node>& nodes)
      : text_(text), lookup_(lookup), nodes_(nodes) {
    advance();
  }

  bool at_end() const { return token_.type == Token::Type::kEnd; }
  bool uses_exe() const { return uses_exe_; }

  size_t parse_or() {
    size_t left = parse_and();
    while (is_word("or")) {
      advance();
      left = add_binary(Kind::kOr, left, parse_and());
    }
    return left;
  }

  [[noreturn]] void fail(const std::string& what, size_t column) const {
    throw UsageError("rule '" + text_ + "': column " + std::to_string(column) + ": " + what);
  }
  [[noreturn]] void fail_here(const std::string& what) const {
    fail(what + (at_end() ? " at the end" : " at '" + token_.text + "'"), token_.column);
  }

 private:
  size_t parse_and() {
    size_t left = parse_unary();
    while (is_word("and")) {
      advance();
      left = add_binary(Kind::kAnd, left, parse_unary());
    }
    return left;
  }

  size_t parse_unary() {
    if (is_word("not")) {
      advance();
      Rule::Node node;
      node.kind = Kind::kNot;
      node.left = parse_unary();
      return add(node);
    }
    if (token_.type == Token::Type::kOpen) {
      advance();
      size_t inner = parse_or();
      if (token_.type != Token::Type::kClose) fail_here("expected ')'");
      advance();
      return inner;
    }
    return parse_comparison();
  }

  size_t parse_comparison() {
    if (token_.type != Token::Type::kWord) fail_here("expected a comparison");
    const std::string keyword = token_.text;
    Rule::Node node;
    if (keyword == "ip" || keyword == "ip6") {
      node.kind = keyword == "ip" ? Kind::kIp : Kind::kIp6;
      advance();
      return add(node);
    }
    advance();
    if (keyword == "user") {
      node.kind = Kind::kUser;
      node.low = parse_user();
    } else if (keyword == "lport" || keyword == "rport") {
      node.kind = keyword == "lport" ? Kind::kLport : Kind::kRport;
      parse_ports(node);
    } else if (keyword == "laddr" || keyword == "raddr") {
      node.kind = keyword == "laddr" ? Kind::kLaddr : Kind::kRaddr;
      parse_network(node);
    } else if (keyword == "exe") {
      node.kind = Kind::kExe;
      if (token_.type != Token::Type::kString) fail_here("exe needs a quoted glob");
      node.pattern = token_.text;
      uses_exe_ = true;
      advance();
    } else {
      fail("unknown comparison '" + keyword + "'", column_before_);
    }
    return add(node);
  }

  uint32_t parse_user() {
    if (token_.type == Token::Type::kString) {
      std::optional<uint32_t> uid = lookup_.user_id(token_.text);
      if (!uid) fail("unknown user '" + token_.text + "'", token_.column);
      advance();
      return *uid;
    }
    std::optional<uint64_t> uid = number(token_.text);
    if (token_.type != Token::Type::kWord || !uid || *uid > 0xFFFFFFFFull) {
      fail_here("user needs a uid or a quoted user name");
    }
    advance();
    return static_cast<uint32_t>(*uid);
  }

  void parse_ports(Rule::Node& node) {
    if (token_.type == Token::Type::kString) {
      std::optional<uint16_t> port = lookup_.tcp_port(token_.text);
      if (!port) fail("unknown service '" + token_.text + "'", token_.column);
      node.low = node.high = *port;
      advance();
      return;
    }
    if (token_.type != Token::Type::kWord) fail_here("expected a port, a range or a quoted service");
    const std::string& spec = token_.text;
    size_t dash = spec.find('-');
    std::string low = spec.substr(0, dash);
    std::string high = dash == std::string::npos ? low : spec.substr(dash + 1);
    if (low.empty() && high.empty()) fail_here("a port range needs at least one end");
    std::optional<uint64_t> lo = low.empty() ? std::optional<uint64_t>(0) : number(low);
    std::optional<uint64_t> hi = high.empty() ? std::optional<uint64_t>(65535) : number(high);
    if (!lo || !hi || *lo > 65535 || *hi > 65535) fail_here("ports are numbers from 0 to 65535");
    if (*lo > *hi) fail_here("the range's low end is above its high end");
    node.low = static_cast<uint32_t>(*lo);
    node.high = static_cast<uint32_t>(*hi);
    advance();
  }

  void parse_network(Rule::Node& node) {
    if (token_.type != Token::Type::kWord) fail_here("expected an address");
    const std::string& spec = token_.text;
    size_t slash = spec.find('/');
    std::string address = spec.substr(0, slash);
    std::string mask = slash == std::string::npos ? "" : spec.substr(slash + 1);
    uint8_t raw[16] = {};
    if (::inet_pton(AF_INET, address.c_str(), raw) == 1) {
      node.net.family = 4;
      node.prefix = 32;
      if (slash != std::string::npos) node.prefix = parse_ipv4_mask(mask);
    } else if (::inet_pton(AF_INET6, address.c_str(), raw) == 1) {
      node.net.family = 6;
      node.prefix = 128;
      if (slash != std::string::npos) {
        std::optional<uint64_t> bits = number(mask);
        if (!bits || *bits > 128) fail_here("an IPv6 mask is a prefix length from 0 to 128");
        node.prefix = static_cast<uint8_t>(*bits);
      }
    } else {
      fail_here("not an IPv4 or IPv6 address");
    }
    size_t length = node.net.family == 4 ? 4 : 16;
    for (size_t i = 0; i < length; ++i) node.net.bytes[i] = raw[i];
    apply_prefix(node.net, node.prefix);
    advance();
  }

  uint8_t parse_ipv4_mask(const std::string& mask) {
    if (mask.find('.') == std::string::npos) {
      std::optional<uint64_t> bits = number(mask);
      if (!bits || *bits > 32) fail_here("an IPv4 mask is a prefix length 0-32 or dotted");
      return static_cast<uint8_t>(*bits);
    }
    in_addr dotted{};
    if (::inet_pton(AF_INET, mask.c_str(), &dotted) != 1) fail_here("not a dotted mask");
    uint32_t bits = ntohl(dotted.s_addr);
    uint8_t length = 0;
    while (length < 32 && (bits & (0x80000000u >> length))) ++length;
    if (length < 32 && (bits << length) != 0) fail_here("a mask's one bits must be contiguous");
    return length;
  }

  static std::optional<uint64_t> number(const std::string& s) {
    if (s.empty() || s.size() > 10) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    return v;
  }

  bool is_word(std::string_view w) const {
    return token_.type == Token::Type::kWord && token_.text == w;
  }

  size_t add(const Rule::Node& node) {
    nodes_.push_back(node);
    return nodes_.size() - 1;
  }
  size_t add_binary(Kind kind, size_t left, size_t right) {
    Rule::Node node;
    node.kind = kind;
    node.left = left;
    node.right = right;
    return add(node);
  }

  void advance() {
    column_before_ = token_.column;
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    token_ = Token{};
    token_.column = pos_ + 1;
    if (pos_ >= text_.size()) return;
    char c = text_[pos_];
    if (c == '(' || c == ')') {
      token_.type = c == '(' ? Token::Type::kOpen : Token::Type::kClose;
      token_.text = std::string(1, c);
      ++pos_;
    } else if (c == '"') {
      size_t close = text_.find('"', pos_ + 1);
      if (close == std::string::npos) fail("unterminated string", pos_ + 1);
      token_.type = Token::Type::kString;
      token_.text = text_.substr(pos_ + 1, close - pos_ - 1);
      pos_ = close + 1;
    } else if (word_char(c)) {
      size_t start = pos_;
      while (pos_ < text_.size() && word_char(text_[pos_])) ++pos_;
      token_.type = Token::Type::kWord;
      token_.text = text_.substr(start, pos_ - start);
    } else {
      fail(std::string("unexpected character '") + c + "'", pos_ + 1);
    }
  }

  static void apply_prefix(decode::IpAddress& a, uint8_t prefix) {
    for (size_t i = 0; i < a.bytes.size(); ++i) {
      size_t bit = i * 8;
      if (bit >= prefix) {
        a.bytes[i] = 0;
      } else if (prefix - bit < 8) {
        a.bytes[i] &= static_cast<uint8_t>(0xFF << (8 - (prefix - bit)));
      }
    }
  }

  const std::string& text_;
  const NameLookup& lookup_;
  std::vector<Rule::Node>& nodes_;
  Token token_;
  size_t pos_ = 0;
  size_t column_before_ = 0;
  bool uses_exe_ = false;
};

bool in_network(const decode::IpAddress& address, const Rule::Node& node) {
  if (address.family != node.net.family) return false;
  for (size_t bit = 0; bit < node.prefix; bit += 8) {
    size_t i = bit / 8;
    uint8_t mask = node.prefix - bit >= 8 ? 0xFF : static_cast<uint8_t>(0xFF << (8 - (node.prefix - bit)));
    if ((address.bytes[i] & mask) != node.net.bytes[i]) return false;
  }
  return true;
}

// Strips a `#` comment that is not inside a quoted string.
std::string without_comment(const std::string& line) {
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    if (line[i] == '#' && !quoted) return line.substr(0, i);
  }
  return line;
}

bool blank(const std::string& s) {
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

NameLookup NameLookup::system() {
  NameLookup lookup;
  lookup.user_id = [](const std::string& name) -> std::optional<uint32_t> {
    const passwd* pw = ::getpwnam(name.c_str());
    if (!pw) return std::nullopt;
    return static_cast<uint32_t>(pw->pw_uid);
  };
  lookup.tcp_port = [](const std::string& name) -> std::optional<uint16_t> {
    const servent* service = ::getservbyname(name.c_str(), "tcp");
    if (!service) return std::nullopt;
    return static_cast<uint16_t>(ntohs(static_cast<uint16_t>(service->s_port)));
  };
  return lookup;
}

Rule Rule::parse(const std::string& text, const NameLookup& lookup) {
  Rule rule;
  rule.text_ = text;
  if (blank(text)) return rule;  // an empty rule matches nothing
  Parser parser(rule.text_, lookup, rule.nodes_);
  rule.root_ = parser.parse_or();
  if (!parser.at_end()) parser.fail_here("expected 'and', 'or' or the end");
  rule.empty_ = false;
  rule.uses_exe_ = parser.uses_exe();
  return rule;
}

bool Rule::matches(const RuleSubject& subject, bool exe_checked) const {
  return !empty_ && eval(root_, subject, exe_checked);
}

bool Rule::eval(size_t index, const RuleSubject& s, bool exe_checked) const {
  const Node& n = nodes_[index];
  switch (n.kind) {
    case Node::Kind::kOr:
      return eval(n.left, s, exe_checked) || eval(n.right, s, exe_checked);
    case Node::Kind::kAnd:
      return eval(n.left, s, exe_checked) && eval(n.right, s, exe_checked);
    case Node::Kind::kNot:
      return !eval(n.left, s, exe_checked);
    case Node::Kind::kUser:
      return s.uid && *s.uid == n.low;
    case Node::Kind::kIp:
      return s.local.family == 4;
    case Node::Kind::kIp6:
      return s.local.family == 6;
    case Node::Kind::kLport:
      return s.local_port >= n.low && s.local_port <= n.high;
    case Node::Kind::kRport:
      return s.remote_port >= n.low && s.remote_port <= n.high;
    case Node::Kind::kLaddr:
      return in_network(s.local, n);
    case Node::Kind::kRaddr:
      return in_network(s.remote, n);
    case Node::Kind::kExe:
      if (!exe_checked) return true;
      if (!s.exe || s.exe->empty()) return n.pattern.empty();
      return ::fnmatch(n.pattern.c_str(), s.exe->c_str(), 0) == 0;
  }
  return false;
}

void RuleSet::add(Rule rule) {
  active_ = true;
  rules_.push_back(std::move(rule));
}

void RuleSet::add_file(const std::string& path, const NameLookup& lookup) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read rules file " + path);
  active_ = true;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::string rule = without_comment(line);
    if (blank(rule)) continue;
    try {
      rules_.push_back(Rule::parse(rule, lookup));
    } catch (const UsageError& e) {
      throw UsageError(path + " line " + std::to_string(number) + ": " + e.what());
    }
  }
  if (in.bad()) throw Error("cannot read rules file " + path);
}

bool RuleSet::uses_exe() const {
  for (const Rule& rule : rules_) {
    if (rule.uses_exe()) return true;
  }
  return false;
}

bool RuleSet::matches(const RuleSubject& subject, bool exe_checked) const {
  if (!active_) return true;
  for (const Rule& rule : rules_) {
    if (rule.matches(subject, exe_checked)) return true;
  }
  return false;
}

}  // namespace tcpflow::attrib
