// Turns a flow direction into its output path: renders the filename template,
// applies the connection count, keeps the result inside the output directory
// and creates the subdirectories a `/` in the template asks for.
#pragma once
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "flow/flow_info.h"
#include "output/filename_template.h"
#include "output/name_counter.h"

namespace tcpflow::output {

class FileNamer {
 public:
  FileNamer(std::string outdir, FilenameTemplate name_template);

  // Fills info.flow_id, info.connection_count and info.filename (relative to
  // the output directory); returns the path to open. `local`: the process
  // owning the flow's end on this host, for %U and %P (null: unknown).
  // Throws nothing: a directory that cannot be created shows up when the
  // file is opened.
  std::string assign(flow::FlowInfo& info, const flow::ProcessInfo* local = nullptr);
  bool names_processes() const { return template_.has_process_code(); }

  const std::string& outdir() const { return outdir_; }
  uint64_t files_named() const { return next_flow_id_; }

 private:
  void make_parent_directories(const std::string& relative);
  bool collides_with_other_tunnel(const std::string& base, const flow::FlowInfo& info);

  std::string outdir_;
  FilenameTemplate template_;
  // For templates without %W that end in %C%c (the default among them): the
  // same with "--%W" before the count, used by a tunnelled flow whose name was
  // taken by a flow of another tunnel (or of none). Absent otherwise.
  std::optional<FilenameTemplate> tunnel_template_;
  // Base-name hash -> the tunnel of the first tunnelled flow that used it.
  std::unordered_map<uint64_t, decode::TunnelKey> first_tunnel_;
  NameCounter counter_;
  std::unordered_set<std::string> made_directories_;
  uint64_t next_flow_id_ = 0;
  std::string base_;      // assign()'s, kept for their memory
  std::string rendered_;
};

}  // namespace tcpflow::output
