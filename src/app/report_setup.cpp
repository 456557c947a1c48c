#include "app/report_setup.h"

#include <boost/version.hpp>
#include <grp.h>
#include <openssl/evp.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tcpflow_config.h"
#include "util/error.h"

namespace tcpflow::app {

namespace {

std::string sha256_of(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rbe");
  if (!file) return "";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  unsigned char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) EVP_DigestUpdate(ctx, buffer, n);
  std::fclose(file);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace

std::unique_ptr<report::DfxmlWriter> open_report(const Config& config) {
  if (!config.report_enabled) return nullptr;
  bool console = config.console != ConsoleMode::kNone || config.attrib.snoop;
  if (console && config.report_path.empty()) return nullptr;
  std::string path = config.report_path.empty() ? config.outdir + "/report.xml"
                                                 : config.report_path;
  report::RunContext context = report::detect_run_context();
  context.version = PACKAGE_VERSION;
  context.command_line = config.command_line;
  context.runtime_libraries.push_back({"libpcap", pcap_lib_version()});
  context.build.libraries.push_back({"boost", BOOST_LIB_VERSION});
  if (config.shard.active()) {
    // What --merge-reports checks: the shard, and the options all shards share.
    context.configuration.emplace_back(
        "shard", std::to_string(config.shard.index) + "/" + std::to_string(config.shard.count));
    context.configuration.emplace_back("shard_options", config.shard_options);
  }
  for (const auto& [name, value] : config.settings) context.configuration.emplace_back(name, value);
  context.configuration.emplace_back("outdir", config.outdir);
  context.configuration.emplace_back("filename_template", config.filename_template);
  context.configuration.emplace_back(
      "overlap", config.table.overlap == reassembly::OverlapPolicy::kFirstWins ? "first" : "last");
  context.configuration.emplace_back("max_seek", std::to_string(config.table.reassembly.max_seek));
  if (config.table.reassembly.max_stored != UINT64_MAX) {
    context.configuration.emplace_back("max_bytes", std::to_string(config.table.reassembly.max_stored));
  }
  if (!config.bpf_expression.empty()) {
    context.configuration.emplace_back("bpf_expression", config.bpf_expression);
  }
  return std::make_unique<report::DfxmlWriter>(path, context);
}

report::InputSource describe_input(const std::string& path, const Config& config) {
  report::InputSource source;
  source.path = path;
  struct stat st {};
  if (path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    source.size = static_cast<uint64_t>(st.st_size);
    if (config.sha256_inputs) source.sha256 = sha256_of(path);
  }
  return source;
}

void drop_privileges_if_asked(const Config& config) {
  if (config.drop_user.empty()) return;
  errno = 0;
  struct passwd* pw = ::getpwnam(config.drop_user.c_str());
  if (!pw) throw Error("cannot drop privileges: no user '" + config.drop_user + "'");
  uid_t uid = pw->pw_uid;
  gid_t gid = pw->pw_gid;
  // The unprivileged user must still be able to create flow files.
  if (::chown(config.outdir.c_str(), uid, gid) != 0 && errno != EPERM) {
    throw Error("cannot hand " + config.outdir + " to " + config.drop_user + ": " +
                std::strerror(errno));
  }
  if (::initgroups(config.drop_user.c_str(), gid) != 0) {
    throw Error("cannot drop privileges: initgroups: " + std::string(std::strerror(errno)));
  }
  if (!config.chroot_dir.empty()) {
    if (::chroot(config.chroot_dir.c_str()) != 0) {
      throw Error("cannot chroot to " + config.chroot_dir + ": " + std::strerror(errno));
    }
  }
  if (::setgid(gid) != 0 || ::setuid(uid) != 0) {
    throw Error("cannot switch to user " + config.drop_user + ": " + std::strerror(errno));
  }
  if (::setuid(0) == 0) throw Error("privileges were not dropped: setuid(0) still works");
}

}  // namespace tcpflow::app
