// The documented default rules file says exactly what the compiled defaults do, and the loader is strict.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "sbrtkit/io/response_rules_loader.h"
#include "sbrtkit/response.h"
#include "support/cli_runner.h"

namespace sbrtkit {
namespace {

// The rules and the segmentation change only when the whole file loads: this keeps each case's
// before/after reading simple.
Status load_into(const std::filesystem::path& file, ResponseRules& rules, ResponseSegmentation& segmentation) {
  auto set = load_response_rules(file, ResponseRuleSet{rules, segmentation});
  if (!set) return set.error();
  rules = set->rules;
  segmentation = set->segmentation;
  return ok();
}

TEST(ResponseRules, DefaultFileEqualsCompiledDefaults) {
  ResponseRules r;
  ResponseSegmentation s;
  // Start from values that differ from every default, so each key of the file must set its field.
  r.min_overlap_fraction = 0.5;
  r.max_match_distance_mm = 1;
  r.recurrence_leaves_ptv = false;
  r.treated_volume_pct = r.treated_isodose_pct = r.in_field_isodose_pct = r.in_field_volume_pct = 1;
  r.marginal_isodose_pct = r.marginal_distance_mm = r.change_pct = r.change_abs_suv = r.tlg_progression_pct = 1;
  r.metric = ChangeMetric::suv_max;
  r.complete_response_background_percentile = 7;
  r.complete_response_residual_contrast_pct = 7;
  r.oligo_max_lesions = 9;
  r.recip_pr_pct = -1;
  r.recip_pd_pct = 1;
  r.ppp_new_lesions = 9;
  r.ppp_increase_pct = 1;
  s.options.mode = ThresholdMode::absolute;
  s.options.percent = s.options.seed_suv = s.options.absolute_suv = s.options.min_volume_cc = s.max_volume_cc = 1;
  s.exclude_rois.clear();
  s.options.local_background = false;
  s.options.background_inner_mm = s.options.background_outer_mm = s.exclude_margin_mm = 1;
  ASSERT_TRUE(load_into(std::filesystem::path(SBRTKIT_SOURCE_DIR) / "rules" / "response-default.yaml", r, s));
  const ResponseRules d;
  const ResponseSegmentation ds;
  EXPECT_EQ(r.min_overlap_fraction, d.min_overlap_fraction);
  EXPECT_EQ(r.max_match_distance_mm, d.max_match_distance_mm);
  EXPECT_EQ(r.recurrence_leaves_ptv, d.recurrence_leaves_ptv);
  EXPECT_EQ(r.treated_volume_pct, d.treated_volume_pct);
  EXPECT_EQ(r.treated_isodose_pct, d.treated_isodose_pct);
  EXPECT_EQ(r.metric, d.metric);
  EXPECT_EQ(r.change_pct, d.change_pct);
  EXPECT_EQ(r.change_abs_suv, d.change_abs_suv);
  EXPECT_EQ(r.tlg_progression_pct, d.tlg_progression_pct);
  EXPECT_EQ(r.complete_response_background_percentile, d.complete_response_background_percentile);
  EXPECT_EQ(r.complete_response_residual_contrast_pct, d.complete_response_residual_contrast_pct);
  EXPECT_EQ(r.in_field_isodose_pct, d.in_field_isodose_pct);
  EXPECT_EQ(r.in_field_volume_pct, d.in_field_volume_pct);
  EXPECT_EQ(r.marginal_isodose_pct, d.marginal_isodose_pct);
  EXPECT_EQ(r.marginal_distance_mm, d.marginal_distance_mm);
  EXPECT_EQ(r.oligo_max_lesions, d.oligo_max_lesions);
  EXPECT_EQ(r.recip_pr_pct, d.recip_pr_pct);
  EXPECT_EQ(r.recip_pd_pct, d.recip_pd_pct);
  EXPECT_EQ(r.ppp_new_lesions, d.ppp_new_lesions);
  EXPECT_EQ(r.ppp_increase_pct, d.ppp_increase_pct);
  EXPECT_EQ(s.options.mode, ds.options.mode);
  EXPECT_EQ(s.options.percent, ds.options.percent);
  EXPECT_EQ(s.options.seed_suv, ds.options.seed_suv);
  EXPECT_EQ(s.options.absolute_suv, ds.options.absolute_suv);
  EXPECT_EQ(s.options.min_volume_cc, ds.options.min_volume_cc);
  EXPECT_EQ(s.max_volume_cc, ds.max_volume_cc);
  EXPECT_EQ(s.exclude_rois, ds.exclude_rois);
  EXPECT_EQ(s.options.local_background, ds.options.local_background);
  EXPECT_EQ(s.options.background_inner_mm, ds.options.background_inner_mm);
  EXPECT_EQ(s.options.background_outer_mm, ds.options.background_outer_mm);
  EXPECT_EQ(s.exclude_margin_mm, ds.exclude_margin_mm);
}

TEST(ResponseRules, BackgroundShellAndExclusionMarginAreChecked) {
  testing::TempDir dir;
  ResponseRules r;
  ResponseSegmentation s;
  std::ofstream(dir / "shell.yaml") << "segmentation:\n  background_shell_mm: [12, 6]\n";
  auto e = load_into(dir / "shell.yaml", r, s);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("segmentation.background_shell_mm"), std::string::npos) << e.error().message();
  EXPECT_NE(e.error().message().find("[12, 6]"), std::string::npos) << e.error().message();
  std::ofstream(dir / "pair.yaml") << "segmentation:\n  background_shell_mm: 8\n";
  EXPECT_FALSE(load_into(dir / "pair.yaml", r, s));
  std::ofstream(dir / "margin.yaml") << "segmentation:\n  exclude_margin_mm: -2\n";
  auto m = load_into(dir / "margin.yaml", r, s);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("segmentation.exclude_margin_mm"), std::string::npos) << m.error().message();
  EXPECT_EQ(s.exclude_margin_mm, 8);  // a file that fails leaves the settings as they were
  std::ofstream(dir / "classic.yaml") << "segmentation:\n  local_background: false\n  background_shell_mm: [6, 12]\n";
  ASSERT_TRUE(load_into(dir / "classic.yaml", r, s));
  EXPECT_FALSE(s.options.local_background);
  EXPECT_EQ(s.options.background_inner_mm, 6);
  EXPECT_EQ(s.options.background_outer_mm, 12);
}

TEST(ResponseRules, OligoLimitOfFiveAndOutOfRangeValues) {
  testing::TempDir dir;
  std::ofstream(dir / "five.yaml") << "patient:\n  oligo_max_lesions: 5\n";
  ResponseRules r;
  ResponseSegmentation s;
  ASSERT_TRUE(load_into(dir / "five.yaml", r, s));
  EXPECT_EQ(r.oligo_max_lesions, 5);
  EXPECT_NE(describe_rules(r)[0].find("five.yaml"), std::string::npos);
  std::ofstream(dir / "bad.yaml") << "treated:\n  volume_pct: 180\n";
  auto e = load_into(dir / "bad.yaml", r, s);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("treated.volume_pct"), std::string::npos) << e.error().message();
  std::ofstream(dir / "metric.yaml") << "change:\n  metric: suv_mean\n";
  auto m = load_into(dir / "metric.yaml", r, s);
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message().find("line 2"), std::string::npos) << m.error().message();
}


// Issue 20: values out of range in a rules file were reported as if from a command-line option
// ("--percent: expected ..."). Each must name the rules file, the key and the line of its value.
TEST(ResponseRules, OutOfRangeValuesNameTheFileTheKeyAndTheLine) {
  testing::TempDir dir;
  struct Case {
    std::string text, key, found;
    int line;
  };
  const std::vector<Case> cases = {
      {"segmentation:\n  percent: .nan\n", "segmentation.percent", "'.nan'", 2},
      {"segmentation:\n  percent: nan\n", "segmentation.percent", "'nan'", 2},
      {"segmentation:\n  mode: percent\n  percent: -5\n", "segmentation.percent", "'-5'", 3},
      {"segmentation:\n  percent: 500\n", "segmentation.percent", "'500'", 2},
      {"segmentation:\n  seed_suv: -1\n", "segmentation.seed_suv", "'-1'", 2},
      {"segmentation:\n  absolute_suv: 0\n", "segmentation.absolute_suv", "'0'", 2},
      {"segmentation:\n  background_shell_mm: [8, inf]\n", "segmentation.background_shell_mm", "'inf'", 2},
      {"# comment\ntreated:\n  isodose_pct: 95\n  volume_pct: 180\n", "treated.volume_pct", "180", 4},
      {"recip:\n  pr_pct: 30\n", "recip.pr_pct", "30", 2},
      {"change:\n  percent: 12 percent\n", "change.percent", "'12 percent'", 2},
      {"patient:\n  oligo_max_lesions: 2.5\n", "patient.oligo_max_lesions", "'2.5'", 2},
      {"matching:\n  recurrence_leaves_ptv: maybe\n", "matching.recurrence_leaves_ptv", "'maybe'", 2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto file = dir / "rules.yaml";
    std::ofstream(file) << c.text;
    auto set = load_response_rules(file);
    ASSERT_FALSE(set);
    const std::string m = set.error().message();
    EXPECT_EQ(m.find("--"), std::string::npos) << m;  // no command-line option named
    EXPECT_NE(m.find(file.string() + ": line " + std::to_string(c.line) + ", column"), std::string::npos) << m;
    EXPECT_NE(m.find("(" + c.key + ")"), std::string::npos) << m;
    EXPECT_NE(m.find(c.found), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace sbrtkit
