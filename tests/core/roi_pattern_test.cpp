// ROI patterns: the regular-expression subset of protocols, matched without backtracking. The truth for
// ordinary patterns is std::regex (ECMAScript, icase, regex_match: an independent implementation of the
// same language) on every pair of a pattern table and a name table; pathological patterns, on which
// std::regex takes exponential time, must answer at once (the test would hit its timeout otherwise).
#include "sbrtkit/roi_pattern.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <vector>

namespace sbrtkit {
namespace {

TEST(RoiPattern, AgreesWithStdRegexOnOrdinaryPatterns) {
  const std::vector<std::string> patterns = {
      "spinal.?cord", "femur_?head_?(l|r|left|right)", "femoral_?head_?(l|r|left|right)", "PTV.*", "ptv[0-9]+",
      "(?:gtv|ctv)_\\d{1,2}", "lung[_ ]?(l|r)?", "[^_]+_prv\\d*", "a{2,3}", "a{2,}", "a{0,1}b", "x|y|", "\\w+\\s\\w+",
      "^body$", "rectum\\.?", "(a|ab)(c|bcd)(d*)", "bowel.*(small|large)", "[a-c-]+", "\\.\\*", "brain(?:stem)?"};
  const std::vector<std::string> names = {
      "Spinal_Cord", "SpinalCord", "spinal__cord", "Spinal_Cord_PRV5", "Femur_Head_L", "FemurHeadRight",
      "femoral_head_x", "PTV", "PTV_L3", "ptv12", "ptv", "GTV_1", "ctv_12", "ctv_123", "Lung_L", "lung", "Lung R",
      "cord_prv", "cord_prv3", "_prv", "aa", "aaa", "aaaa", "b", "ab", "x", "", "word space", "BODY", "Rectum.",
      "abcd", "Bowel_Small", "a-c", "-", ".*", "Brainstem", "Brain", "Müller"};
  for (const auto& p : patterns) {
    auto compiled = RoiPattern::compile(p);
    ASSERT_TRUE(compiled) << p << ": " << compiled.error().message();
    const std::regex truth(p, std::regex::ECMAScript | std::regex::icase);
    for (const auto& n : names) EXPECT_EQ(compiled->matches(n), std::regex_match(n, truth)) << "/" << p << "/ on '" << n << "'";
  }
}

TEST(RoiPattern, CatastrophicPatternsMatchInLinearTime) {
  // On "aaa...ab" std::regex explores 2^n ways to split the a's between the two + (n = 28: minutes).
  const std::string name = std::string(60, 'a') + "b";
  const auto start = std::chrono::steady_clock::now();
  for (const char* p : {"(a+)+$", "(a|a)*c", "(a*)*b?c", "(.*)*x", "(a|aa)+$", "((a+)+)+c"}) {
    auto compiled = RoiPattern::compile(p);
    ASSERT_TRUE(compiled) << p;
    EXPECT_FALSE(compiled->matches(name)) << p;
  }
  // A 64-character name (the LO limit) times a few hundred states: microseconds. One second is a bound
  // no backtracking engine meets on these patterns, and no loaded CI machine misses for a linear one.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_TRUE(RoiPattern::compile("(a+)+$")->matches(std::string(60, 'a')));
}

TEST(RoiPattern, RefusedConstructsAreErrorsNamingThem) {
  struct Case {
    std::string pattern, found;
  };
  for (const Case& c : std::vector<Case>{{"(cord", "the end of the pattern"},
                                         {"cord)", "an unmatched ')'"},
                                         {"*cord", "nothing"},
                                         {"(a)\\1", "'\\1'"},
                                         {"(?=a)a", "'(?='"},
                                         {"\\bcord", "'\\b'"},
                                         {"[z-a]", "a reversed range"},
                                         {"a{5,2}", "'{5,2}'"},
                                         {"a{101}", "'{101}'"},
                                         {"[abc", "the end of the pattern"},
                                         {"\\q", "'\\q'"}}) {
    auto compiled = RoiPattern::compile(c.pattern);
    ASSERT_FALSE(compiled) << c.pattern;
    EXPECT_EQ(compiled.error().code, ErrorCode::bad_value);
    EXPECT_NE(compiled.error().found.find(c.found), std::string::npos) << c.pattern << ": " << compiled.error().message();
  }
  // Length and state caps: a pattern cannot make matching costly by size either.
  EXPECT_FALSE(RoiPattern::compile(std::string(kMaxRoiPatternLength + 1, 'a')));
  auto states = RoiPattern::compile("((a{100}){100}){100}");
  ASSERT_FALSE(states);
  EXPECT_NE(states.error().expected.find("automaton states"), std::string::npos) << states.error().message();
}

}  // namespace
}  // namespace sbrtkit
