// writefloor: the cost of writing a workload's output volume into the same
// number of files, each opened once, written sequentially in 1 MiB blocks,
// timestamped (as every flow file is) and closed. A lower bound for any
// tool that writes one file per flow direction into one directory; with
// --threads N, N threads share the files out; with --split one thread
// creates every file and another writes, stamps and closes them (as our
// writers pair up on a disk). The bench takes the best of the three.
//
//   writefloor OUTDIR --sizes FILE [--threads N | --split]   (sizes: one per line, from benchgen --sizes)
//   writefloor OUTDIR --files N --bytes B [--threads N | --split]
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "writefloor: %s\n", msg.c_str());
  std::exit(1);
}

std::vector<unsigned long long> read_sizes(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (!f) die(std::string(path) + ": " + std::strerror(errno));
  std::vector<unsigned long long> sizes;
  unsigned long long v;
  while (std::fscanf(f, "%llu", &v) == 1) sizes.push_back(v);
  std::fclose(f);
  return sizes;
}

// Names as long as tcpflow's default ones, distinct per index.
void file_name(char* out, size_t cap, size_t i) {
  std::snprintf(out, cap, "010.%03zu.%03zu.%03zu.%05zu-172.016.000.001.00080",
                (i >> 16) & 255, (i >> 8) & 255, i & 255, (i >> 24) % 65536);
}

void write_file(int dirfd, const char* name, unsigned long long size,
                const std::vector<char>& block) {
  const int fd = ::openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die(std::string(name) + ": " + std::strerror(errno));
  while (size > 0) {
    const size_t n = size < block.size() ? static_cast<size_t>(size) : block.size();
    const ssize_t w = ::write(fd, block.data(), n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die(std::string(name) + ": " + std::strerror(errno));
    size -= static_cast<unsigned long long>(w);
  }
  const timespec stamp[2] = {{1500000000, 0}, {1500000000, 0}};
  if (::futimens(fd, stamp) != 0) die(std::string(name) + ": " + std::strerror(errno));
  if (::close(fd) != 0) die(std::string(name) + ": " + std::strerror(errno));
}

void fill_file(int fd, unsigned long long size, const std::vector<char>& block) {
  while (size > 0) {
    const size_t n = size < block.size() ? static_cast<size_t>(size) : block.size();
    const ssize_t w = ::write(fd, block.data(), n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die(std::string("write: ") + std::strerror(errno));
    size -= static_cast<unsigned long long>(w);
  }
  const timespec stamp[2] = {{1500000000, 0}, {1500000000, 0}};
  if (::futimens(fd, stamp) != 0) die(std::string("futimens: ") + std::strerror(errno));
  if (::close(fd) != 0) die(std::string("close: ") + std::strerror(errno));
}

// --split: one thread creates every file, another writes, stamps and
// closes them, handed over in batches of 256 descriptors.
void split(int dirfd, const std::vector<unsigned long long>& sizes,
           const std::vector<char>& block) {
  std::mutex mutex;
  std::condition_variable ready, room;
  std::deque<std::vector<int>> batches;
  bool done = false;
  std::thread writer([&] {
    size_t next = 0;
    for (;;) {
      std::vector<int> batch;
      {
        std::unique_lock<std::mutex> lock(mutex);
        ready.wait(lock, [&] { return done || !batches.empty(); });
        if (batches.empty()) return;
        batch = std::move(batches.front());
        batches.pop_front();
      }
      room.notify_one();
      for (int fd : batch) fill_file(fd, sizes[next++], block);
    }
  });
  char name[64];
  std::vector<int> batch;
  for (size_t i = 0; i < sizes.size(); ++i) {
    file_name(name, sizeof name, i);
    const int fd = ::openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die(std::string(name) + ": " + std::strerror(errno));
    batch.push_back(fd);
    if (batch.size() == 256 || i + 1 == sizes.size()) {
      std::unique_lock<std::mutex> lock(mutex);
      room.wait(lock, [&] { return batches.size() < 2; });  // bounded descriptors
      batches.push_back(std::move(batch));
      batch.clear();
      ready.notify_one();
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
  }
  ready.notify_one();
  writer.join();
}

}  // namespace

int main(int argc, char** argv) {
  size_t threads = 1;
  bool split_roles = false;
  if (argc >= 5 && std::strcmp(argv[argc - 1], "--split") == 0) {
    split_roles = true;
    argc -= 1;
  }
  if (argc >= 6 && std::strcmp(argv[argc - 2], "--threads") == 0) {
    threads = std::strtoul(argv[argc - 1], nullptr, 0);
    if (threads < 1 || threads > 64) die("--threads must be 1..64");
    argc -= 2;
  }
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: writefloor OUTDIR --sizes FILE [--threads N | --split]\n"
                 "       writefloor OUTDIR --files N --bytes B [--threads N | --split]\n");
    return 2;
  }
  const char* outdir = argv[1];
  std::vector<unsigned long long> sizes;
  if (std::strcmp(argv[2], "--sizes") == 0) {
    sizes = read_sizes(argv[3]);
  } else if (argc == 6 && std::strcmp(argv[2], "--files") == 0 &&
             std::strcmp(argv[4], "--bytes") == 0) {
    const unsigned long long files = std::strtoull(argv[3], nullptr, 0);
    const unsigned long long bytes = std::strtoull(argv[5], nullptr, 0);
    if (files == 0) die("--files must be > 0");
    sizes.assign(files, bytes / files);
    sizes.back() += bytes % files;
  } else {
    die("bad arguments");
  }

  std::vector<char> block(1 << 20);
  unsigned long long x = 88172645463325252ULL;
  for (char& c : block) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }

  const auto t0 = std::chrono::steady_clock::now();
  if (::mkdir(outdir, 0755) != 0 && errno != EEXIST) {
    die(std::string(outdir) + ": " + std::strerror(errno));
  }
  const int dirfd = ::open(outdir, O_RDONLY | O_DIRECTORY);
  if (dirfd < 0) die(std::string(outdir) + ": " + std::strerror(errno));
  unsigned long long total = 0;
  for (unsigned long long size : sizes) total += size;
  // Thread t writes files t, t + N, t + 2N, ...: all of them in one directory.
  auto write_share = [&](size_t first) {
    char name[64];
    for (size_t i = first; i < sizes.size(); i += threads) {
      file_name(name, sizeof name, i);
      write_file(dirfd, name, sizes[i], block);
    }
  };
  std::vector<std::thread> helpers;
  if (split_roles) {
    split(dirfd, sizes, block);
    threads = 2;
  } else {
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back(write_share, t);
    write_share(0);
  }
  for (std::thread& helper : helpers) helper.join();
  ::close(dirfd);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("writefloor: %zu files, %llu bytes in %.3f s, %zu thread(s)\n", sizes.size(),
              total, secs, threads);
  return 0;
}
