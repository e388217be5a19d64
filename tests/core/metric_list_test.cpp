// parse_metrics: one metric per item, in order; the first malformed item is the error, naming its token.
#include <gtest/gtest.h>

#include "sbrtkit/metric.h"

namespace sbrtkit {
namespace {

TEST(ParseMetrics, KeepsTheOrderAndStopsAtTheFirstMalformedItem) {
  auto m = parse_metrics({"D95%[Gy]", "V20Gy[cc]", "Mean[Gy]"});
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].text(), "D95%[Gy]");
  EXPECT_EQ((*m)[1].text(), "V20Gy[cc]");
  EXPECT_EQ((*m)[2].text(), "Mean[Gy]");
  EXPECT_TRUE(parse_metrics({})->empty());
  auto bad = parse_metrics({"D95%[Gy]", "D95%[Gz]", "V[cc]"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("Gz"), std::string::npos) << bad.error().message();
}

}  // namespace
}  // namespace sbrtkit
