#include "util/lazy_library.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "util/error.h"

namespace tcpflow {
namespace {

// A library that exists resolves to the same function the program links.
TEST(LazyLibrary, FindsAFunctionOfALibraryThatExists) {
  LazyLibrary libm("libm.so.6", "the test");
  using Cbrt = double (*)(double);
  auto cbrt = reinterpret_cast<Cbrt>(libm.symbol("cbrt"));
  ASSERT_NE(cbrt, nullptr);
  EXPECT_TRUE(libm.opened());
  EXPECT_DOUBLE_EQ(cbrt(27.0), 3.0);
}

// Not loaded until a symbol is asked for.
TEST(LazyLibrary, OpensNothingBeforeTheFirstSymbol) {
  LazyLibrary libm("libm.so.6", "the test");
  EXPECT_FALSE(libm.opened());
}

// A missing library names the feature and the file, every time it is asked.
TEST(LazyLibrary, AMissingLibraryThrowsNamingTheFeatureAndTheFile) {
  LazyLibrary missing("libtcpflow-no-such-library.so.9", "the frobnicator (-e frob)");
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      missing.symbol("anything");
      FAIL() << "no exception";
    } catch (const Error& error) {
      const std::string what = error.what();
      EXPECT_NE(what.find("the frobnicator (-e frob) needs libtcpflow-no-such-library.so.9"),
                std::string::npos)
          << what;
    }
  }
  EXPECT_FALSE(missing.opened());
}

TEST(LazyLibrary, AMissingSymbolThrowsNamingIt) {
  LazyLibrary libm("libm.so.6", "the test");
  try {
    libm.symbol("tcpflow_no_such_function");
    FAIL() << "no exception";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("libm.so.6 has no tcpflow_no_such_function"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace tcpflow
