#include "output/file_namer.h"

#include <sys/stat.h>

#include <cerrno>

namespace tcpflow::output {

FileNamer::FileNamer(std::string outdir, FilenameTemplate name_template)
    : outdir_(std::move(outdir)), template_(std::move(name_template)) {}

std::string FileNamer::assign(flow::FlowInfo& info) {
  info.flow_id = next_flow_id_++;
  info.connection_count = counter_.next(template_.render_base(info));
  info.filename = sanitize_relative_path(template_.render(info));
  make_parent_directories(info.filename);
  return outdir_.empty() || outdir_ == "." ? info.filename : outdir_ + "/" + info.filename;
}

void FileNamer::make_parent_directories(const std::string& relative) {
  size_t slash = relative.rfind('/');
  if (slash == std::string::npos) return;
  std::string parent = relative.substr(0, slash);
  if (made_directories_.count(parent)) return;
  for (size_t pos = 0; pos != std::string::npos;) {
    pos = relative.find('/', pos + 1);
    if (pos == std::string::npos || pos > slash) break;
    std::string dir = outdir_ + "/" + relative.substr(0, pos);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) break;
  }
  made_directories_.insert(parent);
}

}  // namespace tcpflow::output
