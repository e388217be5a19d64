// Re-irradiation limits over courses, course intervals, image agreement: hand-made values only.
#include "sbrtkit/cumulative_limits.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sbrtkit/image_agreement.h"
#include "support/analytic_phantom.h"

namespace sbrtkit {
namespace {

Constraint limit(const std::string& text_metric, double value, LimitScope scope, bool relative = false) {
  Constraint c;
  c.metric_text = text_metric;
  c.text = text_metric + " <= " + std::to_string(value);
  c.metric = *parse_metric(text_metric);
  c.comparison = Comparison::less_equal;
  c.limit = value;
  c.scope = scope;
  c.eqd2_alpha_beta_gy = 2;
  c.relative_to_cumulative = relative;
  c.source = "hand";
  return c;
}

Protocol cord_protocol() {
  Protocol p;
  p.id = "test";
  p.source = "protocol source";
  StructureRule cord;
  cord.name = "SpinalCord";
  cord.aliases = {"Cord"};
  cord.constraints = {limit("Max[Gy]", 70, LimitScope::cumulative), limit("Max[Gy]", 25, LimitScope::reirradiation_course),
                      limit("Max[Gy]", 0.5, LimitScope::reirradiation_course, true),
                      limit("Max[Gy]", 40, LimitScope::per_course)};
  Constraint plan_only = limit("Max[Gy]", 1, LimitScope::plan);
  cord.constraints.push_back(plan_only);
  StructureRule sac;
  sac.name = "ThecalSac";
  sac.constraints = {limit("Max[Gy]", 70, LimitScope::cumulative)};
  p.structures = {cord, sac};
  return p;
}

TEST(CumulativeLimits, JudgesEachScopeWithItsMargin) {
  StructureSet set;
  Structure s;
  s.name = "Cord";
  set.structures.push_back(s);
  // A source by hand: course values 30 and 22 Gy2/2, the voxel-wise cumulative 48 (maxima not co-located).
  const LimitMetricSource source = [&](const LimitQuery& q) -> Expected<std::optional<double>> {
    EXPECT_EQ(q.structure, &set.structures[0]);
    EXPECT_EQ(*q.eqd2_alpha_beta_gy, 2.0);
    if (!q.course) return std::optional<double>(48.0);
    return std::optional<double>(*q.course == 0 ? 30.0 : 22.0);
  };
  auto rows = evaluate_cumulative_limits(cord_protocol(), set, {"1.1", "1.2"}, source);
  ASSERT_TRUE(rows) << rows.error().message();
  // cumulative, reirradiation (course 2), relative (course 2), per course (both), thecal sac missing; plan skipped.
  ASSERT_EQ(rows->size(), 6u);
  const auto& cum = (*rows)[0];
  EXPECT_EQ(cum.structure, "Cord");
  EXPECT_TRUE(*cum.passed);
  EXPECT_DOUBLE_EQ(*cum.margin_gy, 22.0);
  EXPECT_DOUBLE_EQ(*cum.sum_of_courses_gy, 52.0);
  EXPECT_EQ(cum.source, "hand");
  const auto& re = (*rows)[1];
  EXPECT_EQ(re.plan_uid, "1.2");
  EXPECT_TRUE(*re.passed);
  EXPECT_DOUBLE_EQ(*re.margin_gy, 3.0);
  const auto& rel = (*rows)[2];
  EXPECT_DOUBLE_EQ(*rel.limit_gy, 24.0);  // 0.5 x 48
  EXPECT_TRUE(*rel.passed);
  EXPECT_DOUBLE_EQ(*rel.margin_gy, 2.0);
  EXPECT_EQ((*rows)[3].plan_uid, "1.1");
  EXPECT_DOUBLE_EQ(*(*rows)[3].margin_gy, 10.0);
  EXPECT_EQ((*rows)[4].plan_uid, "1.2");
  const auto& sac = (*rows)[5];
  EXPECT_EQ(sac.protocol_structure, "ThecalSac");
  EXPECT_FALSE(sac.passed);
  EXPECT_NE(sac.reason.find("ThecalSac"), std::string::npos);
}

TEST(CumulativeLimits, FailsWithANegativeMarginAndRefusesNonGyMetrics) {
  StructureSet set;
  Structure s;
  s.name = "SpinalCord";
  set.structures.push_back(s);
  const LimitMetricSource source = [](const LimitQuery& q) -> Expected<std::optional<double>> {
    return std::optional<double>(q.course ? 43.75 : 103.75);
  };
  auto rows = evaluate_cumulative_limits(cord_protocol(), set, {"a", "b"}, source);
  ASSERT_TRUE(rows);
  EXPECT_FALSE(*(*rows)[0].passed);
  EXPECT_DOUBLE_EQ(*(*rows)[0].margin_gy, 70 - 103.75);
  EXPECT_FALSE(*(*rows)[1].passed);
  EXPECT_DOUBLE_EQ(*(*rows)[1].margin_gy, 25 - 43.75);
  // A single course: nothing to judge as a re-irradiation, said in the row.
  rows = evaluate_cumulative_limits(cord_protocol(), set, {"a"}, source);
  ASSERT_TRUE(rows);
  EXPECT_FALSE((*rows)[1].passed);
  EXPECT_NE((*rows)[1].reason.find("single course"), std::string::npos);
  Protocol bad = cord_protocol();
  bad.file = "p.yaml";
  bad.structures[0].constraints[0] = limit("V20Gy[cc]", 1, LimitScope::cumulative);
  bad.structures[0].constraints[0].line = 12;
  auto refused = evaluate_cumulative_limits(bad, set, {"a"}, source);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("p.yaml line 12"), std::string::npos) << refused.error().message();
}

TEST(CourseIntervals, CalendarMonthsClampedToTheMonthEnd) {
  EXPECT_EQ(add_months("2024-01-31", 1), "2024-02-29");  // leap year
  EXPECT_EQ(add_months("2023-01-31", 1), "2023-02-28");
  EXPECT_EQ(add_months("2024-10-15", 5), "2025-03-15");
  EXPECT_EQ(*day_number("1970-01-01"), 0);
  EXPECT_EQ(*day_number("2024-03-01") - *day_number("2024-02-01"), 29);
  EXPECT_FALSE(day_number("2024-02-30"));
  CourseInterval five;
  five.months = 5;
  five.source = "Sahgal";
  const auto rows = evaluate_course_intervals(five, {"a", "b", "c"}, {"2024-01-10", "2024-06-09", "2024-11-09"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].passed);  // one day short of 2024-06-10
  EXPECT_EQ(rows[0].margin_days, -1);
  EXPECT_EQ(rows[0].days, 151);
  EXPECT_TRUE(rows[1].passed);  // 2024-11-09 is exactly 5 months after 2024-06-09
  EXPECT_EQ(rows[1].margin_days, 0);
}

TEST(ImageAgreement, OneForTheTrueMapAndLowerForAWrongOne) {
  // A linear ramp plus a bump, in two frames related by a known translation.
  const ImageGeometry g({40, 40, 20}, {0, 0, 0}, {2, 2, 2}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  const ImageGeometry gm({40, 40, 20}, {-10, 4, 0}, {2, 2, 2}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  auto value = [](PatientPoint p) { return 1 * p.x + 200 * std::exp(-((p.x - 40) * (p.x - 40) + (p.y - 30) * (p.y - 30)) / 50); };
  Volume<float> fixed(g), moving(gm);
  RigidMap moving_to_fixed;
  moving_to_fixed.translation_mm = {6, -2, 0};
  for (std::int64_t v = 0; v < g.voxel_count(); ++v) fixed.voxels[std::size_t(v)] = float(value(g.to_patient(g.index_of(v))));
  for (std::int64_t v = 0; v < gm.voxel_count(); ++v)
    moving.voxels[std::size_t(v)] = float(value(moving_to_fixed.apply(gm.to_patient(gm.index_of(v)))));
  const auto a = image_agreement(fixed, moving, moving_to_fixed, 1, -1e9, 1e9);
  EXPECT_GT(a.correlation, 0.999);  // trilinear on a smooth field: only interpolation error of the bump
  EXPECT_GT(a.overlap_fraction, 0.5);
  RigidMap wrong = moving_to_fixed;
  wrong.translation_mm = {-6, 2, 0};
  EXPECT_LT(image_agreement(fixed, moving, wrong, 1, -1e9, 1e9).correlation, a.correlation - 0.01);
}

}  // namespace
}  // namespace sbrtkit
