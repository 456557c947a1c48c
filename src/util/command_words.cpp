#include "util/command_words.h"

#include "util/error.h"

namespace tcpflow {

std::vector<std::string> split_command_words(const std::string& text,
                                             const std::string& setting) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // a quoted empty string still makes a word
  char quote = 0;
  auto fail = [&](const std::string& why) {
    throw UsageError("-S " + setting + "=" + text + ": " + why);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quote == '\'') {
      if (ch == '\'') quote = 0; else word += ch;
    } else if (quote == '"') {
      if (ch == '"') {
        quote = 0;
      } else if (ch == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) {
        word += text[++i];
      } else {
        word += ch;
      }
    } else if (ch == ' ' || ch == '\t' || ch == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      in_word = true;
    } else if (ch == '\\') {
      if (i + 1 == text.size()) fail("trailing backslash");
      word += text[++i];
      in_word = true;
    } else {
      word += ch;
      in_word = true;
    }
  }
  if (quote) fail(std::string("unclosed ") + (quote == '"' ? "double" : "single") + " quote");
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) fail("no command");
  return words;
}

}  // namespace tcpflow
