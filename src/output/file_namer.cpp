#include "output/file_namer.h"

#include <sys/stat.h>

#include <cerrno>

#include "util/hash.h"

namespace tcpflow::output {

namespace {

constexpr std::string_view kCountSuffix = "%C%c";

}  // namespace

FileNamer::FileNamer(std::string outdir, FilenameTemplate name_template)
    : outdir_(std::move(outdir)), template_(std::move(name_template)) {
  const std::string& text = template_.text();
  if (!template_.has_tunnel_code() && text.size() >= kCountSuffix.size() &&
      text.compare(text.size() - kCountSuffix.size(), kCountSuffix.size(), kCountSuffix) == 0) {
    const std::string head = text.substr(0, text.size() - kCountSuffix.size());
    tunnel_template_ = FilenameTemplate::parse(head + "--%W" + std::string(kCountSuffix),
                                               template_.always_count());
  }
}

std::string FileNamer::assign(flow::FlowInfo& info, const flow::ProcessInfo* local) {
  info.flow_id = next_flow_id_++;
  // Rendered into buffers kept across flows: naming a file allocates only
  // the two strings it hands out (a million short connections name two
  // million files).
  const FilenameTemplate* chosen = &template_;
  base_.clear();
  template_.render_into(info, local, true, base_);
  if (tunnel_template_ && !info.tunnels.empty() && collides_with_other_tunnel(base_, info)) {
    chosen = &*tunnel_template_;
    base_.clear();
    chosen->render_into(info, local, true, base_);
  }
  info.connection_count = counter_.next(base_);
  rendered_.clear();
  chosen->render_into(info, local, false, rendered_);
  info.filename.clear();
  sanitize_relative_path_into(rendered_, info.filename);
  make_parent_directories(info.filename);
  if (outdir_.empty() || outdir_ == ".") return info.filename;
  std::string path;
  path.reserve(outdir_.size() + 1 + info.filename.size());
  path.append(outdir_).append(1, '/').append(info.filename);
  return path;
}

// Two tenants' identical inner 4-tuples render the same name; the second
// tunnel gets its tag instead of a count, so the names say which is which.
// A reused 4-tuple inside one tunnel still gets tcpflow's count.
bool FileNamer::collides_with_other_tunnel(const std::string& base, const flow::FlowInfo& info) {
  const decode::TunnelKey tunnel = decode::tunnel_key_of(info.tunnels.back());
  const uint64_t key = hash_text(base);
  if (auto it = first_tunnel_.find(key); it != first_tunnel_.end()) return it->second != tunnel;
  if (counter_.seen(base)) return true;  // first taken by a flow outside any tunnel
  first_tunnel_.emplace(key, tunnel);
  return false;
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
