// Helpers shared by the output module's tests.
#pragma once
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "output/background_writer.h"
#include "util/byte_view.h"

namespace tcpflow::output {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/tcpflow-output-test-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline ByteView view(const std::string& s) { return ByteView(s); }

inline void write_file_for_test(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline int64_t mtime_sec(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mtim.tv_sec : -1;
}

inline BackgroundWriter::Limits small_limits(size_t max_open, size_t batch_jobs) {
  BackgroundWriter::Limits limits;
  limits.max_open = max_open;
  limits.batch_jobs = batch_jobs;
  limits.queue_batches = 2;
  return limits;
}

}  // namespace tcpflow::output
