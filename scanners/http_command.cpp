#include "scanners/http_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/command_words.h"

namespace tcpflow::scanners::http {

BodyCommand::BodyCommand(const std::string& command) {
  if (command.find_first_not_of(" \t\n") == std::string::npos) return;
  argv_ = split_command_words(command, "http_cmd");
  runner_ = std::make_unique<ChildRunner>(1, [](const std::string& label, const std::string& why) {
    std::fprintf(stderr, "tcpflow: http_cmd: %s: %s\n", label.c_str(), why.c_str());
  });
}

void BodyCommand::run(const std::string& path) {
  if (argv_.empty()) return;
  std::vector<std::string> argv = argv_;
  argv.push_back(path);
  runner_->start(argv, {}, argv_[0] + " " + path);
  runner_->wait_all();
}

void BodyHooks::body_written(const std::string& path, uint64_t size, const std::string& md5) {
  if (alert_.on()) alert_.write(path + '\t' + std::to_string(size) + '\t' + md5 + '\n');
  command_.run(path);
}

}  // namespace tcpflow::scanners::http
