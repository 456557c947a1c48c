#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "output/background_writer.h"
#include "output/directory_locks.h"
#include "output/fd_cache.h"
#include "output/file_io.h"
#include "output/name_counter.h"
#include "output_test_util.h"

namespace tcpflow::output {
namespace {

TEST(WriteFully, PiecesLandOneAfterAnotherAtTheOffset) {
  TempDir dir;
  std::string path = dir.path() + "/pieces";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  char a[] = "abc", b[] = "", c[] = "defgh";
  iovec pieces[] = {{a, 3}, {b, 0}, {c, 5}};
  EXPECT_EQ(write_fully(fd, pieces, 3, 2), 0);
  ::close(fd);
  EXPECT_EQ(slurp(path), std::string("\0\0abcdefgh", 10));
}

// A write cut short (here by the file size limit) carries on from inside
// the piece it stopped in, and the failure that ends it is returned.
TEST(WriteFully, AShortWriteGoesOnFromInsideAPiece) {
  TempDir dir;
  std::string path = dir.path() + "/short";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 6;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  char a[] = "abcd", c[] = "efgh";
  iovec pieces[] = {{a, 4}, {c, 4}};
  int err = write_fully(fd, pieces, 2, 0);
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  ::close(fd);
  EXPECT_EQ(err, EFBIG);
  EXPECT_EQ(slurp(path), "abcdef");
}

TEST(NameCounter, CountsEachNameSeparately) {
  NameCounter counter;
  EXPECT_EQ(counter.next("a"), 0u);
  EXPECT_EQ(counter.next("b"), 0u);
  EXPECT_EQ(counter.next("a"), 1u);
  EXPECT_EQ(counter.next("a"), 2u);
  EXPECT_EQ(counter.next("b"), 1u);
  for (int i = 0; i < 5000; ++i) counter.next("name" + std::to_string(i));
  EXPECT_EQ(counter.next("a"), 3u);
  EXPECT_EQ(counter.next("name4999"), 1u);
  EXPECT_EQ(counter.size(), 5002u);
}

// Flow names that differ in one byte anywhere, in their length only, or by
// trailing NULs are all distinct: 200,000 realistic names, each counted once.
TEST(NameCounter, NearIdenticalFlowNamesAreDistinct) {
  NameCounter counter;
  char name[64];
  uint32_t repeats = 0;
  for (int i = 0; i < 100000; ++i) {
    std::snprintf(name, sizeof name, "010.%03d.%03d.%03d.%05d-172.016.000.001.00080", i % 7,
                  (i / 7) % 256, (i / 1792) % 256, i % 65536);
    repeats += counter.next(name);
    repeats += counter.next(std::string(name) + "c");
  }
  EXPECT_EQ(repeats, 0u);
  EXPECT_EQ(counter.next(std::string_view("abcdefgh", 8)), 0u);
  EXPECT_EQ(counter.next(std::string_view("abcdefgh\0", 9)), 0u);
  EXPECT_EQ(counter.next(std::string_view("abcdefgh\0\0", 10)), 0u);
  EXPECT_EQ(counter.next(std::string_view("", 0)), 0u);
  EXPECT_EQ(counter.next(std::string_view("\0", 1)), 0u);
  EXPECT_EQ(counter.next(std::string_view("abcdefgh\0", 9)), 1u);
  EXPECT_EQ(counter.size(), 200005u);
}





TEST(FdCache, DefaultBudgetRaisesTheSoftLimitTowardsTheHardOne) {
  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 200) GTEST_SKIP() << "hard limit too low";
  struct rlimit lowered = saved;
  lowered.rlim_cur = 100;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  FdCache cache(0);
  struct rlimit now {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  rlim_t expected = saved.rlim_max == RLIM_INFINITY ? 65536 + 32 : std::min<rlim_t>(saved.rlim_max, 65536 + 32);
  EXPECT_EQ(now.rlim_cur, expected);
  EXPECT_EQ(cache.capacity(), static_cast<size_t>(expected) - 32);
  EXPECT_EQ(FdCache(7).capacity(), 7u);  // -f N is taken as given
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
}


TEST(BackgroundWriter, RunsJobsInOrderAndKeepsAFileFailureUnderItsClose) {
  TempDir dir;
  // Two descriptors for four open files: the writer evicts and reopens in place.
  BackgroundWriter writer(small_limits(2, 3));
  std::vector<uint64_t> files;
  for (int i = 0; i < 4; ++i) files.push_back(writer.create(dir.path() + "/f" + std::to_string(i)));
  EXPECT_EQ(files, (std::vector<uint64_t>{1, 2, 3, 4}));
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 4; ++i) {
      std::string bytes = "r" + std::to_string(round) + "f" + std::to_string(i);
      writer.write(files[i], 2 + round * bytes.size(), view(bytes));
    }
  }
  uint64_t bad = writer.create("/nonexistent-dir-for-tcpflow/flow");
  uint64_t bad_write = writer.write(bad, 0, view("lost"));
  std::vector<uint64_t> closes;
  for (int i = 0; i < 4; ++i) closes.push_back(writer.close(files[i], {100 + i, 7}));
  uint64_t bad_close = writer.close(bad, {1, 0});
  EXPECT_EQ(writer.submitted(), bad_close);
  writer.wait_for(bad_close);
  EXPECT_EQ(writer.finished(), bad_close);
  for (int i = 0; i < 4; ++i) {
    std::string path = dir.path() + "/f" + std::to_string(i);
    std::string f = "f" + std::to_string(i);
    EXPECT_EQ(slurp(path), std::string(2, '\0') + "r0" + f + "r1" + f);
    EXPECT_EQ(mtime_sec(path), 100 + i);
    EXPECT_FALSE(writer.take_error(closes[i]).has_value());
  }
  EXPECT_GT(writer.evictions(), 0u);
  EXPECT_LE(writer.peak_open(), 2u);
  EXPECT_FALSE(writer.take_error(bad).has_value());
  EXPECT_FALSE(writer.take_error(bad_write).has_value());
  std::optional<std::string> error = writer.take_error(bad_close);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot create"), std::string::npos) << *error;
  EXPECT_FALSE(writer.take_error(bad_close).has_value());  // taken once
}

// -e md5: a file written from its start, in order, has its digest under its
// close (also when its descriptor was evicted between writes); a file
// written any other way has none, even when its bytes add up to its size.
TEST(BackgroundWriter, HashesOnlyAFileWrittenInOrderFromItsStart) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(2, 3);  // 2 descriptors, 5 files
  limits.writers = 2;
  limits.digest_md5 = true;
  BackgroundWriter writer(limits);
  auto file = [&](const char* name) { return writer.create_ref(dir.path() + "/" + name); };
  BackgroundWriter::FileRef in_order = file("in-order"), filled = file("hole-filled"),
                            rewritten = file("rewritten"), late_start = file("late-start"),
                            empty = file("empty");
  writer.write(in_order, 0, view("abc"));
  writer.write(filled, 0, view("aaaa"));
  writer.write(rewritten, 0, view("xyz"));
  writer.write(late_start, 2, view("ab"));
  writer.write(filled, 8, view("cccc"));   // ahead: a hole at 4..8 ...
  writer.write(in_order, 3, view("def"));
  writer.write(rewritten, 1, view("Q"));   // an overwrite
  writer.write(filled, 4, view("bbbb"));   // ... filled: 12 bytes for a 12-byte file
  uint64_t closes[5];
  BackgroundWriter::FileRef all[5] = {in_order, filled, rewritten, late_start, empty};
  for (int i = 0; i < 5; ++i) closes[i] = writer.close(all[i], Timestamp{});
  writer.wait_for(closes[4]);
  EXPECT_GT(writer.evictions(), 0u);
  EXPECT_EQ(slurp(dir.path() + "/in-order"), "abcdef");
  EXPECT_EQ(slurp(dir.path() + "/hole-filled"), "aaaabbbbcccc");
  std::optional<WrittenDigest> digest = writer.take_digest(closes[0]);
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(digest->md5, "e80b5017098950fc58aad83c8c14978e");  // md5("abcdef")
  EXPECT_EQ(digest->size, 6u);
  EXPECT_FALSE(writer.take_digest(closes[0]).has_value());  // taken once
  EXPECT_FALSE(writer.take_digest(closes[1]).has_value());
  EXPECT_FALSE(writer.take_digest(closes[2]).has_value());
  EXPECT_FALSE(writer.take_digest(closes[3]).has_value());
  digest = writer.take_digest(closes[4]);
  ASSERT_TRUE(digest.has_value());
  EXPECT_EQ(digest->md5, "d41d8cd98f00b204e9800998ecf8427e");  // md5("")
  EXPECT_EQ(digest->size, 0u);
}

TEST(BackgroundWriter, HashesNothingUnlessAsked) {
  TempDir dir;
  BackgroundWriter writer(small_limits(4, 1));
  BackgroundWriter::FileRef file = writer.create_ref(dir.path() + "/f");
  writer.write(file, 0, view("abc"));
  uint64_t closed = writer.close(file, Timestamp{});
  writer.wait_for(closed);
  EXPECT_EQ(slurp(dir.path() + "/f"), "abc");
  EXPECT_FALSE(writer.take_digest(closed).has_value());
}

TEST(BackgroundWriter, AFailedWriteIsKeptAndStopsTheFile) {
  BackgroundWriter writer(small_limits(4, 1));
  uint64_t full = writer.create("/dev/full");  // every write: ENOSPC
  writer.write(full, 0, view("a"));
  writer.write(full, 1, view("b"));
  uint64_t closed = writer.close(full, Timestamp{});
  writer.wait_for(closed);
  std::optional<std::string> error = writer.take_error(closed);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(*error, std::string("write failed: ") + std::strerror(ENOSPC));
}

TEST(BackgroundWriter, DestructorFinishesQueuedJobs) {
  TempDir dir;
  {
    BackgroundWriter writer(small_limits(4, 64));
    for (int i = 0; i < 10; ++i) {
      uint64_t file = writer.create(dir.path() + "/g" + std::to_string(i));
      writer.write(file, 0, view("x"));
      if (i % 2 == 0) writer.close(file, {});  // the others are closed by the destructor
    }
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(slurp(dir.path() + "/g" + std::to_string(i)), "x");
}

// Several writers: every file is whole, finished() never runs ahead of a
// job, errors stay under their close, and two files on one path (a template
// without %c) run in submission order, as with one writer.
TEST(BackgroundWriter, SeveralWritersKeepEachPathInOrder) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(6, 5);
  limits.writers = 3;
  std::vector<uint64_t> closes;
  {
    BackgroundWriter writer(limits);
    std::vector<uint64_t> files;
    for (int i = 0; i < 40; ++i) files.push_back(writer.create(dir.path() + "/m" + std::to_string(i)));
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 40; ++i) {
        std::string bytes = std::to_string(round) + ":" + std::to_string(i) + ";";
        uint64_t ticket = writer.write(files[i], round * 8, view(bytes + std::string(8 - bytes.size(), '.')));
        EXPECT_LE(writer.finished(), ticket);
      }
    }
    for (int i = 0; i < 40; ++i) closes.push_back(writer.close(files[i], {200 + i, 0}));
    // The same path twice: the second file's creation truncates the first,
    // and its bytes are what remains.
    std::string shared = dir.path() + "/shared";
    uint64_t first = writer.create(shared);
    writer.write(first, 0, view("first file, longer"));
    writer.close(first, {1, 0});
    uint64_t second = writer.create(shared);
    writer.write(second, 0, view("second"));
    uint64_t last = writer.close(second, {2, 0});
    uint64_t bad = writer.create("/nonexistent-dir-for-tcpflow/m");
    uint64_t bad_close = writer.close(bad, {});
    writer.wait_for(last);
    EXPECT_GE(writer.finished(), last);
    EXPECT_EQ(slurp(shared), "second");
    EXPECT_EQ(mtime_sec(shared), 2);
    writer.wait_for(bad_close);
    EXPECT_EQ(writer.finished(), writer.submitted());
    std::optional<std::string> error = writer.take_error(bad_close);
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->find("cannot create"), std::string::npos) << *error;
    for (uint64_t ticket : closes) EXPECT_FALSE(writer.take_error(ticket).has_value());
    EXPECT_LE(writer.peak_open(), 6u);  // the budget is shared out, not multiplied
  }
  for (int i = 0; i < 40; ++i) {
    std::string want;
    for (int round = 0; round < 3; ++round) {
      std::string bytes = std::to_string(round) + ":" + std::to_string(i) + ";";
      want += bytes + std::string(8 - bytes.size(), '.');
    }
    std::string path = dir.path() + "/m" + std::to_string(i);
    EXPECT_EQ(slurp(path), want) << path;
    EXPECT_EQ(mtime_sec(path), 200 + i);
  }
}

// finished() with several writers: a ticket counts as done only when every
// earlier ticket, on whichever writer, is done too.
// creator_threads: a second thread creates files ahead of the writer, and
// a path's later life waits for the writer to finish its earlier one (else
// its creation would truncate a file still being written).
TEST(BackgroundWriter, ACreatorThreadCreatesAheadAndKeepsEachPathInOrder) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(64, 5);  // descriptors to spare
  limits.creator_threads = true;
  std::string shared = dir.path() + "/shared";
  BackgroundWriter writer(limits);
  std::vector<BackgroundWriter::FileRef> files;
  std::vector<uint64_t> closes;
  for (int life = 0; life < 6; ++life) {
    // Plenty of writes before each life of the shared path, so the writer
    // lags the creator.
    for (int i = 0; i < 10; ++i) {
      files.push_back(writer.create_ref(dir.path() + "/m" + std::to_string(files.size())));
      for (int k = 0; k < 20; ++k) writer.write(files.back(), k * 1000, view(std::string(1000, 'a' + k)));
      closes.push_back(writer.close(files.back(), {300, 0}));
    }
    BackgroundWriter::FileRef path_life = writer.create_ref(shared);
    std::string text = "life " + std::to_string(life) + std::string(20 - 3 * life, '.');
    writer.write(path_life, 0, view(text));
    writer.close(path_life, {life + 1, 0});
  }
  BackgroundWriter::FileRef bad = writer.create_ref("/nonexistent-dir-for-tcpflow/m");
  uint64_t bad_close = writer.close(bad, {});
  writer.wait_for(bad_close);
  EXPECT_EQ(slurp(shared), "life 5" + std::string(5, '.'));
  EXPECT_EQ(mtime_sec(shared), 6);
  std::string want;
  for (int k = 0; k < 20; ++k) want += std::string(1000, 'a' + k);
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(slurp(dir.path() + "/m" + std::to_string(i)), want) << i;
    EXPECT_FALSE(writer.take_error(closes[i]).has_value());
  }
  std::optional<std::string> error = writer.take_error(bad_close);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("cannot create"), std::string::npos) << *error;
  EXPECT_GT(writer.created_ahead(), files.size() / 2);
  EXPECT_LE(writer.peak_open(), 64u);
}

// Two lives of one path in one batch: the creator sees the second while the
// writer has not begun the first, and must leave it to the writer.
TEST(BackgroundWriter, ACreatorLeavesAPathsLaterLifeInTheSameBatchToTheWriter) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(256, 16);
  limits.creator_threads = true;
  BackgroundWriter writer(limits);
  std::string shared = dir.path() + "/shared";
  BackgroundWriter::FileRef first = writer.create_ref(shared);
  writer.write(first, 0, view("first life, longer"));
  writer.close(first, {1, 0});
  BackgroundWriter::FileRef second = writer.create_ref(shared);
  writer.write(second, 0, view("second"));
  writer.wait_for(writer.close(second, {2, 0}));
  EXPECT_EQ(slurp(shared), "second");
  EXPECT_EQ(mtime_sec(shared), 2);
  EXPECT_EQ(writer.created_ahead(), 1u);
}

// Without descriptors to spare for the files in flight, no creator thread.
TEST(BackgroundWriter, NoCreatorThreadWithoutDescriptorsToSpare) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(8, 5);
  limits.creator_threads = true;
  BackgroundWriter writer(limits);
  BackgroundWriter::FileRef file = writer.create_ref(dir.path() + "/f");
  writer.write(file, 0, view("abc"));
  writer.wait_for(writer.close(file, {}));
  EXPECT_EQ(slurp(dir.path() + "/f"), "abc");
  EXPECT_EQ(writer.created_ahead(), 0u);
}

TEST(BackgroundWriter, FinishedIsContiguousAcrossWriters) {
  TempDir dir;
  BackgroundWriter::Limits limits = small_limits(8, 1000);  // nothing leaves before flush()
  limits.writers = 2;
  BackgroundWriter writer(limits);
  uint64_t a = writer.create(dir.path() + "/a");
  uint64_t b = writer.create(dir.path() + "/b");
  uint64_t c = writer.create(dir.path() + "/c");
  EXPECT_EQ(writer.finished(), 0u);  // all still in unflushed batches
  writer.wait_for(c);
  EXPECT_EQ(writer.finished(), c);
  uint64_t write_a = writer.write(a, 0, view("x"));
  EXPECT_EQ(writer.finished(), write_a - 1);  // pending: at most what came before it
  writer.close(a, {});
  writer.close(b, {});
  uint64_t last = writer.close(c, {});
  writer.wait_for(last);
  EXPECT_EQ(writer.finished(), last);
  EXPECT_EQ(slurp(dir.path() + "/a"), "x");
}

// A writer creates a batch's files before running its other jobs, except
// a file whose path an earlier job of the batch concerns: a path's second
// life still truncates it after the first life's bytes, whether the first
// was created in the same batch or an earlier one.
TEST(BackgroundWriter, ACreationRunsAheadOnlyOfJobsOnOtherPaths) {
  for (size_t writers : {size_t{1}, size_t{2}}) {
    TempDir dir;
    BackgroundWriter::Limits limits = small_limits(16, 64);  // one batch holds it all
    limits.writers = writers;
    BackgroundWriter writer(limits);
    const std::string shared = dir.path() + "/shared";
    uint64_t first = writer.create(shared);
    writer.write(first, 0, view("first file, longer"));
    writer.close(first, {1, 0});
    uint64_t second = writer.create(shared);
    writer.write(second, 0, view("second"));
    writer.close(second, {2, 0});
    const std::string across = dir.path() + "/across";
    uint64_t early = writer.create(across);
    writer.flush();  // its first life is open in the writer before the next batch
    writer.write(early, 0, view("early life, longer"));
    writer.close(early, {3, 0});
    uint64_t late = writer.create(across);
    writer.write(late, 0, view("late"));
    writer.close(late, {4, 0});
    for (int i = 0; i < 20; ++i) {
      uint64_t file = writer.create(dir.path() + "/f" + std::to_string(i));
      writer.write(file, 0, view("bytes of " + std::to_string(i)));
      writer.close(file, {100 + i, 0});
    }
    writer.wait_for(writer.submitted());
    EXPECT_EQ(slurp(shared), "second") << writers;
    EXPECT_EQ(mtime_sec(shared), 2);
    EXPECT_EQ(slurp(across), "late") << writers;
    EXPECT_EQ(mtime_sec(across), 4);
    for (int i = 0; i < 20; ++i) {
      const std::string path = dir.path() + "/f" + std::to_string(i);
      EXPECT_EQ(slurp(path), "bytes of " + std::to_string(i)) << path;
      EXPECT_EQ(mtime_sec(path), 100 + i);
    }
    for (uint64_t t = 1; t <= writer.submitted(); ++t) EXPECT_FALSE(writer.take_error(t)) << t;
  }
}

TEST(DirectoryLocks, ASecondCreationInTheSameDirectoryWaits) {
  DirectoryLocks locks;
  std::atomic<bool> created{false};
  std::thread second;
  {
    std::unique_lock<std::mutex> first = locks.lock_parent_of("/out/dir/a");
    second = std::thread([&] {
      std::unique_lock<std::mutex> mine = locks.lock_parent_of("/out/dir/b");
      created = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(created.load());  // still waiting for the first
  }
  second.join();
  EXPECT_TRUE(created.load());
  // Names without a directory share the current directory's lock, which is free now.
  std::unique_lock<std::mutex> here = locks.lock_parent_of("flow");
  EXPECT_TRUE(here.owns_lock());
}

TEST(DirectoryHold, KeepsOneDirectorysLockUntilReleased) {
  DirectoryLocks locks;
  DirectoryHold hold(locks);
  hold.hold_parent_of("/out/dir/a");
  hold.hold_parent_of("/out/dir/b");  // the same directory: already held, no self-deadlock
  EXPECT_TRUE(hold.holding());
  std::atomic<bool> created{false};
  std::thread second([&] {
    std::unique_lock<std::mutex> mine = locks.lock_parent_of("/out/dir/c");
    created = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(created.load());  // held between creations, not only during one
  hold.release();
  second.join();
  EXPECT_TRUE(created.load());
  EXPECT_FALSE(hold.holding());
}

TEST(DirectoryHold, TakingAnotherDirectoryReleasesTheFirst) {
  DirectoryLocks locks;
  // Two directories whose stripes differ (they share one now and then).
  std::string other = "/out/k1";
  for (int i = 2; &locks.lock_for_parent_of(other + "/f") == &locks.lock_for_parent_of("/out/k0/f");
       ++i) {
    other = "/out/k" + std::to_string(i);
  }
  DirectoryHold hold(locks);
  hold.hold_parent_of("/out/k0/f");
  hold.hold_parent_of(other + "/f");
  // Seen from another thread: the first directory's lock is free, the second's held.
  bool first_free = false, second_free = true;
  std::thread([&] {
    std::unique_lock<std::mutex> first(locks.lock_for_parent_of("/out/k0/f"), std::try_to_lock);
    first_free = first.owns_lock();
    std::unique_lock<std::mutex> second(locks.lock_for_parent_of(other + "/f"), std::try_to_lock);
    second_free = second.owns_lock();
  }).join();
  EXPECT_TRUE(first_free);
  EXPECT_FALSE(second_free);
}

}  // namespace
}  // namespace tcpflow::output
