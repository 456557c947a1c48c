#include "app/paths.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "util/error.h"

namespace tcpflow::app {

void make_directories(const std::string& path) {
  if (path.empty() || path == ".") return;
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      throw Error("cannot create output directory " + prefix + ": " + std::strerror(errno));
    }
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw Error("cannot use output directory " + path + ": not a directory");
  }
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    throw Error("cannot write to output directory " + path + ": " + std::strerror(errno));
  }
}

std::vector<std::string> path_components(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

std::string outside_jail_path(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string parent = slash == std::string::npos ? "." : path.substr(0, slash ? slash : 1);
  std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  char* real_parent = ::realpath(parent.c_str(), nullptr);
  char* real_cwd = ::getcwd(nullptr, 0);
  if (!real_parent || !real_cwd) {
    std::free(real_parent);
    std::free(real_cwd);
    throw Error("cannot resolve " + path + " before chroot: " + std::strerror(errno));
  }
  std::vector<std::string> target = path_components(real_parent);
  std::vector<std::string> here = path_components(real_cwd);
  std::free(real_parent);
  std::free(real_cwd);
  if (!leaf.empty() && leaf != ".") target.push_back(leaf);
  size_t common = 0;
  while (common < target.size() && common < here.size() && target[common] == here[common]) {
    ++common;
  }
  std::string relative;
  for (size_t i = common; i < here.size(); ++i) relative += "../";
  for (size_t i = common; i < target.size(); ++i) relative += target[i] + "/";
  if (relative.empty()) return ".";
  relative.pop_back();
  return relative;
}

bool directory_is_empty(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return false;
  bool empty = true;
  while (const struct dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  ::closedir(dir);
  return empty;
}

}  // namespace tcpflow::app
