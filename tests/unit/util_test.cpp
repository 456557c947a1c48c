#include <gtest/gtest.h>

#include "util/hash.h"
#include "util/reader.h"
#include "util/seq32.h"
#include "util/stats.h"

namespace tcpflow {
namespace {

TEST(HashText, AnEmptyViewWithoutDataHashesLikeAnEmptyString) {
  // A default string_view has a null data(): nothing may be read through it
  // (UBSan checks the memcpy), and it is the same text as "".
  EXPECT_EQ(hash_text(std::string_view()), hash_text(""));
  EXPECT_NE(hash_text("a/b"), hash_text("a/c"));
}

TEST(Seq32, WrapSafeCompare) {
  EXPECT_TRUE(seq_before(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_after(0x10u, 0xFFFFFFF0u));
  EXPECT_EQ(seq_diff(5, 0xFFFFFFFEu), 7);
}

TEST(Seq32, UnwrapAcrossTheTop) {
  int64_t ref = 0xFFFFFFF0ll;
  EXPECT_EQ(unwrap_seq(ref, 0x10u), 0x100000010ll);
  EXPECT_EQ(unwrap_seq(ref, 0xFFFFFF00u), 0xFFFFFF00ll);
  EXPECT_EQ(unwrap_seq(0x100000010ll, 0xFFFFFFF0u), 0xFFFFFFF0ll);
}

TEST(Reader, RefusesToReadPastTheEnd) {
  const uint8_t bytes[] = {0x12, 0x34, 0x56};
  Reader r(ByteView(bytes, sizeof bytes));
  EXPECT_EQ(r.u16be().value(), 0x1234);
  EXPECT_FALSE(r.u16be().has_value());
  EXPECT_EQ(r.u8().value(), 0x56);
  EXPECT_FALSE(r.u8().has_value());
}

TEST(Stats, NamesAndMerge) {
  Stats a, b;
  a.add(Counter::kGaps, 2);
  b.add(Counter::kGaps);
  a.merge(b);
  EXPECT_EQ(a.get(Counter::kGaps), 3u);
  EXPECT_EQ(counter_name(Counter::kGaps), "gaps");
}

}  // namespace
}  // namespace tcpflow
