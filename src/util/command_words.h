// Splits a user's command setting (-S tcp_cmd) into argv without a shell:
// words are separated by blanks, and single or double quotes group blanks
// into one word, so `sh -c 'echo "$TCPFLOW_FILE"'` reaches sh as three words.
#pragma once
#include <string>
#include <vector>

namespace tcpflow {

// Rules (a small, predictable subset of the POSIX shell's):
// * blanks (space, tab, newline) separate words; quotes may join parts of one
//   word (a'b c'd is the single word "ab cd");
// * inside '...' every character is literal;
// * inside "..." a backslash escapes only " and \ (otherwise it is kept);
// * outside quotes a backslash makes the next character literal;
// * '' or "" alone is an empty word.
// No variables, globs, pipes or redirections: run `sh -c '...'` for those.
// Throws tcpflow::UsageError naming `setting` for an unclosed quote, a
// trailing backslash or a command with no words.
std::vector<std::string> split_command_words(const std::string& text,
                                             const std::string& setting);

}  // namespace tcpflow
