// tcpflow 1.6.1's scanner names in -e/-x/-E: notices, never a usage error.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scanners/legacy_names.h"
#include "scanners/registry.h"
#include "util/error.h"

namespace tcpflow::scanners {
namespace {

bool registered(const std::string& name) {
  for (const auto& scanner : all_scanners(ScannerOptions{})) {
    if (scanner->name() == name) return true;
  }
  return false;
}

TEST(LegacyScannerNames, TableHoldsOnly161Names) {
  ASSERT_NE(find_legacy_scanner("wifiviz"), nullptr);
  EXPECT_EQ(find_legacy_scanner("wifiviz")->name, "wifiviz");
  EXPECT_EQ(find_legacy_scanner("md5x"), nullptr);
  EXPECT_EQ(find_legacy_scanner(""), nullptr);
  EXPECT_EQ(find_legacy_scanner(kDemuxScannerName), nullptr);
}

TEST(LegacyScannerNames, EnablingALackingScannerWarnsAndRunsTheRest) {
  ScannerSelection selection;
  selection.enable = {"wifiviz", "md5"};
  ScannerSet set = ScannerSet::select(selection);
  EXPECT_EQ(set.names(), std::vector<std::string>{"md5"});
  ASSERT_EQ(set.notices().size(), 1u);
  EXPECT_TRUE(set.notices()[0].always);
  EXPECT_NE(set.notices()[0].text.find("-e wifiviz"), std::string::npos);
  EXPECT_NE(set.notices()[0].text.find("1.6.1"), std::string::npos);
}

TEST(LegacyScannerNames, DisablingALackingScannerIsAQuietNote) {
  ScannerSelection selection;
  selection.disable = {"wifiviz"};
  selection.enable = {"md5"};
  ScannerSet set = ScannerSet::select(selection);
  EXPECT_EQ(set.names(), std::vector<std::string>{"md5"});
  ASSERT_EQ(set.notices().size(), 1u);
  EXPECT_FALSE(set.notices()[0].always);
  EXPECT_NE(set.notices()[0].text.find("-x wifiviz ignored"), std::string::npos);
}

TEST(LegacyScannerNames, TcpdemuxIsAlwaysOn) {
  ScannerSelection enable;
  enable.enable = {"tcpdemux", "md5"};
  ScannerSet on = ScannerSet::select(enable);
  EXPECT_EQ(on.names(), std::vector<std::string>{"md5"});
  EXPECT_TRUE(on.notices().empty());

  ScannerSelection exclusive;  // 1.6.1: only the demultiplexer, so no scanner
  exclusive.enable = {"md5"};
  exclusive.exclusive = "tcpdemux";
  ScannerSet only = ScannerSet::select(exclusive);
  EXPECT_TRUE(only.empty());
  EXPECT_TRUE(only.notices().empty());

  ScannerSelection disable;
  disable.disable = {"tcpdemux"};
  ScannerSet off = ScannerSet::select(disable);
  ASSERT_EQ(off.notices().size(), 1u);
  EXPECT_FALSE(off.notices()[0].always);
  EXPECT_NE(off.notices()[0].text.find("always on"), std::string::npos);
}

TEST(LegacyScannerNames, ExclusiveLackingScannerLeavesNoScanner) {
  ScannerSelection selection;
  selection.enable = {"md5"};
  selection.exclusive = "wifiviz";
  ScannerSet set = ScannerSet::select(selection);
  EXPECT_TRUE(set.empty());
  ASSERT_EQ(set.notices().size(), 1u);
  EXPECT_TRUE(set.notices()[0].always);
  EXPECT_NE(set.notices()[0].text.find("-E wifiviz"), std::string::npos);
}

TEST(LegacyScannerNames, ARegisteredScannerWinsOverTheTable) {
  // netviz is in the table until its scanner is registered; either way
  // -e netviz must not fail, and once registered it must give no notice.
  ScannerSelection selection;
  selection.enable = {"netviz"};
  ScannerSet set = ScannerSet::select(selection);
  if (registered("netviz")) {
    EXPECT_EQ(set.names(), std::vector<std::string>{"netviz"});
    EXPECT_TRUE(set.notices().empty());
  } else {
    ASSERT_NE(find_legacy_scanner("netviz"), nullptr);
    EXPECT_TRUE(set.empty());
    EXPECT_EQ(set.notices().size(), 1u);
  }
  // md5 is registered: a table entry of that name could never be reached.
  ScannerSelection md5;
  md5.enable = {"md5"};
  EXPECT_TRUE(ScannerSet::select(md5).notices().empty());
}

TEST(LegacyScannerNames, UnknownNamesAreStillUsageErrors) {
  ScannerSelection selection;
  selection.disable = {"nosuchscanner"};
  EXPECT_THROW(ScannerSet::select(selection), UsageError);
  selection.disable.clear();
  selection.exclusive = "nosuchscanner";
  EXPECT_THROW(ScannerSet::select(selection), UsageError);
}

}  // namespace
}  // namespace tcpflow::scanners
