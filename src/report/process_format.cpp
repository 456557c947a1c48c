#include "report/process_format.h"

#include "report/json_object.h"

namespace tcpflow::report {

std::string process_json(const flow::ProcessInfo* p) {
  if (p == nullptr) return "null";
  JsonObject o;
  o.add("uid", static_cast<uint64_t>(p->uid));
  o.add("user", p->user);
  o.add("pid", static_cast<uint64_t>(p->pid));
  o.add("ppid", static_cast<uint64_t>(p->ppid));
  o.add("cmd", p->cmd);
  if (p->exe.empty()) {
    o.add_null("exe");
  } else {
    o.add("exe", p->exe);
  }
  if (p->cmdline.empty()) {
    o.add_null("cmdline");
  } else {
    o.add("cmdline", p->cmdline);
  }
  return o.str();
}

std::string with_processes(std::string line, const flow::ProcessInfo* src,
                           const flow::ProcessInfo* dst) {
  if (line.empty() || line.back() != '}') return line;
  line.pop_back();
  if (line.size() > 1) line += ',';
  line += "\"src_process\":" + process_json(src) + ",\"dst_process\":" + process_json(dst) + "}";
  return line;
}

XmlChild process_xml(const char* end, const flow::ProcessInfo& p) {
  XmlChild child = XmlChild::leaf("process");
  child.attr("end", end)
      .attr("uid", std::to_string(p.uid))
      .attr("user", p.user)
      .attr("pid", std::to_string(p.pid))
      .attr("ppid", std::to_string(p.ppid))
      .attr("cmd", p.cmd);
  if (!p.exe.empty()) child.attr("exe", p.exe);
  if (!p.cmdline.empty()) child.attr("cmdline", p.cmdline);
  return child;
}

}  // namespace tcpflow::report
