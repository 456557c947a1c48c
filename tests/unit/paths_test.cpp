#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "app/paths.h"
#include "util/error.h"

namespace tcpflow::app {
namespace {

// A fresh directory under the system temporary directory, removed by the test's end.
std::string make_temp_dir() {
  char name[] = "/tmp/tcpflow-paths-XXXXXX";
  const char* made = ::mkdtemp(name);
  return made ? made : "";
}

TEST(Paths, ComponentsSkipEmptyParts) {
  EXPECT_EQ(path_components("/a//b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(path_components("x"), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(path_components("/").empty());
}

TEST(Paths, MakeDirectoriesCreatesParentsAndRefusesAFile) {
  std::string root = make_temp_dir();
  ASSERT_FALSE(root.empty());
  std::string deep = root + "/one/two/three";
  make_directories(deep);
  struct stat st {};
  ASSERT_EQ(::stat(deep.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  make_directories(deep);  // already there: fine

  std::string file = root + "/plain";
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  EXPECT_THROW(make_directories(file), Error);
  EXPECT_THROW(make_directories(file + "/below"), Error);
  std::string command = "rm -rf " + root;
  ASSERT_EQ(std::system(command.c_str()), 0);
}

TEST(Paths, OutsideJailPathIsRelativeToTheWorkingDirectory) {
  std::string root = make_temp_dir();
  ASSERT_FALSE(root.empty());
  make_directories(root + "/work/here");
  make_directories(root + "/out");
  char* saved = ::getcwd(nullptr, 0);
  ASSERT_NE(saved, nullptr);
  ASSERT_EQ(::chdir((root + "/work/here").c_str()), 0);
  EXPECT_EQ(outside_jail_path(root + "/out"), "../../out");
  EXPECT_EQ(outside_jail_path(root + "/out/new.pcap"), "../../out/new.pcap");
  EXPECT_EQ(outside_jail_path("."), ".");
  EXPECT_EQ(outside_jail_path("sub"), "sub");
  EXPECT_THROW(outside_jail_path(root + "/missing/x"), Error);
  ASSERT_EQ(::chdir(saved), 0);
  std::free(saved);
  std::string command = "rm -rf " + root;
  ASSERT_EQ(std::system(command.c_str()), 0);
}

}  // namespace
}  // namespace tcpflow::app
