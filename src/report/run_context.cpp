#include "report/run_context.h"

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <pwd.h>
#include <sys/utsname.h>
#include <tinyxml2.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <ctime>

namespace tcpflow::report {
namespace {

std::string compiler_name() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#else
  return "unknown";
#endif
}

std::string tinyxml2_version() {
  return std::to_string(TINYXML2_MAJOR_VERSION) + "." + std::to_string(TINYXML2_MINOR_VERSION) +
         "." + std::to_string(TINYXML2_PATCH_VERSION);
}

std::string openssl_runtime_version() {
#if OPENSSL_VERSION_NUMBER >= 0x10100000L
  return OpenSSL_version(OPENSSL_VERSION);
#else
  return SSLeay_version(SSLEAY_VERSION);
#endif
}

// getpwuid_r with a buffer of the size sysconf suggests; empty if the uid has
// no passwd entry (containers often run as an unnamed uid).
std::string user_name(uid_t uid) {
  long suggested = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::string buf(suggested > 0 ? static_cast<size_t>(suggested) : 16384, '\0');
  struct passwd pw {};
  struct passwd* result = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) != 0 || result == nullptr) return "";
  return result->pw_name ? result->pw_name : "";
}

}  // namespace

std::string iso8601_now() {
  time_t now = std::time(nullptr);
  struct tm tm {};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

RunContext detect_run_context() {
  RunContext ctx;
  ctx.start_time = iso8601_now();
  struct utsname uts {};
  if (uname(&uts) == 0) {
    ctx.os_sysname = uts.sysname;
    ctx.os_release = uts.release;
    ctx.os_version = uts.version;
    ctx.arch = uts.machine;
    ctx.host = uts.nodename;
  }
  uid_t uid = getuid();
  ctx.uid = std::to_string(uid);
  ctx.username = user_name(uid);

  ctx.build.compiler = compiler_name();
  ctx.build.libraries = {
      {"zlib", ZLIB_VERSION},
      {"OpenSSL", OPENSSL_VERSION_TEXT},
      {"tinyxml2", tinyxml2_version()},
  };
  ctx.runtime_libraries = {
      {"zlib", zlibVersion()},
      {"OpenSSL", openssl_runtime_version()},
  };
  return ctx;
}

}  // namespace tcpflow::report
