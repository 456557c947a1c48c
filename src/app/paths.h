// Output paths at setup: the output directory is created up front, and with
// -z every path opened after the chroot is made relative to the working
// directory, which stays outside the jail.
#pragma once
#include <string>
#include <vector>

namespace tcpflow::app {

// Creates `path` and its parents (mkdir -p) and checks it is a writable
// directory; throws tcpflow::Error saying which step failed.
void make_directories(const std::string& path);

// Whether `path` is a directory with no entries (false when it cannot be read).
bool directory_is_empty(const std::string& path);

// The non-empty components of `path`: "/a//b/" gives {"a", "b"}.
std::vector<std::string> path_components(const std::string& path);

// `path` relative to the working directory, resolved now (before -z's
// chroot), so that it still names the place the user meant once the root
// has moved. `path` need not exist, but its parent must; throws
// tcpflow::Error when it cannot be resolved.
std::string outside_jail_path(const std::string& path);

}  // namespace tcpflow::app
