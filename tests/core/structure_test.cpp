// ROI selection by pattern: StructureSet::select and the glob matcher.
#include "sbrtkit/structure.h"

#include <gtest/gtest.h>

#include <string>

namespace sbrtkit {
namespace {

TEST(GlobMatch, StarsQuestionMarksAndCase) {
  EXPECT_TRUE(glob_match("GTV_*", "gtv_l3"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("Kidney_?", "Kidney_L"));
  EXPECT_FALSE(glob_match("Kidney_?", "Kidney_LR"));
  EXPECT_TRUE(glob_match("*_L*", "GTV_L3"));
  EXPECT_FALSE(glob_match("PTV", "PTV_L3"));  // no star: the whole name
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXcYb"));
  EXPECT_TRUE(glob_match("ab*ba", "aba") == false);  // the anchored runs may not overlap
  EXPECT_TRUE(glob_match("*ab", "aab"));
}

TEST(GlobMatch, PathologicalPatternFinishesFast) {
  // "*a*a*...*a*b" against 4000 a's: recursive backtracking takes exponential time; the segment
  // matcher scans the text once per segment (50 x 4000 steps).
  std::string pattern;
  for (int n = 0; n < 50; ++n) pattern += "*a";
  pattern += "*b";
  const std::string text(4000, 'a');
  EXPECT_FALSE(glob_match(pattern, text));
  EXPECT_TRUE(glob_match(pattern, text + "b"));
}

TEST(StructureSet, SelectByGlobAndInterpretedType) {
  StructureSet set;
  auto add = [&](const char* name, const char* type) {
    Structure s;
    s.name = name;
    s.interpreted_type = type;
    set.structures.push_back(s);
  };
  add("GTV_L3", "GTV");
  add("PTV_L3", "PTV");
  add("Node_L", "GTV");
  add("Bladder", "ORGAN");
  const auto names = [](const std::vector<const Structure*>& v) {
    std::string s;
    for (const auto* p : v) s += p->name + ";";
    return s;
  };
  EXPECT_EQ(names(set.select("GTV_*")), "GTV_L3;");
  EXPECT_EQ(names(set.select("type:gtv")), "GTV_L3;Node_L;");
  EXPECT_EQ(names(set.select(" bladder , PTV* ")), "PTV_L3;Bladder;");  // RTSTRUCT order, trimmed
  EXPECT_EQ(names(set.select("nothing")), "");
  EXPECT_EQ(names(set.select("")), "");
}

}  // namespace
}  // namespace sbrtkit
