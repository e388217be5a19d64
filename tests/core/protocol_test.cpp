// Protocol evaluation without files: structure matching, grading into pass / minor / major, missing
// required structures, trivially met volume constraints, PTV-volume tables.

#include "sbrtkit/protocol.h"

#include <gtest/gtest.h>

#include "support/analytic_phantom.h"

namespace sbrtkit {
namespace {

using testing::DoseModel;
using testing::Gradient;
using testing::Shape;
using testing::Solid;

Constraint constraint(const std::string& metric, Comparison c, double limit, std::optional<double> minor = {}) {
  Constraint out;
  out.metric_text = metric;
  out.text = metric + " " + to_string(c) + " " + std::to_string(limit);
  if (auto index = parse_plan_index(metric)) out.index = index;
  else out.metric = *parse_metric(metric);
  out.comparison = c;
  out.limit = limit;
  out.minor_limit = minor;
  return out;
}

TEST(Protocol, MatchesByNameAliasPatternAndType) {
  StructureRule rule;
  rule.name = "SpinalCord";
  rule.aliases = {"Cord"};
  rule.patterns = {*RoiPattern::compile("spinal.?cord")};
  rule.interpreted_types = {"ORGAN"};
  Structure s;
  s.name = "spinalcord";
  EXPECT_EQ(match_rule(rule, s), "name");  // case-insensitive, type unknown: accepted
  s.name = "CORD";
  s.interpreted_type = "ORGAN";
  EXPECT_EQ(match_rule(rule, s), "alias 'Cord'");
  s.name = "Spinal_Cord";
  EXPECT_EQ(match_rule(rule, s), "pattern 'spinal.?cord'");
  s.name = "Spinal_Cord_PRV5";  // patterns match the whole name
  EXPECT_FALSE(match_rule(rule, s));
  s.name = "SpinalCord";
  s.interpreted_type = "PTV";  // the type excludes it
  EXPECT_FALSE(match_rule(rule, s));
}

TEST(Protocol, GradesPassMinorMajorAndReportsMissingStructures) {
  // Rectum: a cylinder (R 10 mm, 40 mm) in a uniform 20 Gy field, so every dose metric is 20 Gy.
  const Solid rod{Shape::cylinder, 10, 40, {0, 0, 0}};
  StructureSet set;
  set.structures.push_back(testing::contour_solid(rod, 2, 1, "Rectum"));
  const DoseVolume dose = testing::make_dose_grid(rod, DoseModel{Gradient::along_z, 20, 0, {}}, 2, 0, 4);

  Protocol p;
  p.id = "test";
  p.fractions = {3};
  StructureRule rectum;
  rectum.name = "Rectum";
  rectum.constraints = {constraint("Max[Gy]", Comparison::less, 25),                      // pass
                        constraint("Mean[Gy]", Comparison::less_equal, 18, 21),           // minor
                        constraint("D0.035cc[Gy]", Comparison::less, 18, 19),             // major
                        constraint("D20cc[Gy]", Comparison::less, 10)};                   // 12.6 cc: trivially met
  StructureRule ptv;
  ptv.name = "PTV";
  ptv.role = StructureRole::target;
  ptv.required = true;
  ptv.constraints = {constraint("V100%[%]", Comparison::greater_equal, 95)};
  p.structures = {rectum, ptv};

  CheckInputs in;
  in.structures = &set;
  in.dose = &dose;
  in.plan_fractions = 3;
  auto report = evaluate_protocol(p, in);
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->rows.size(), 5u);
  EXPECT_EQ(report->rows[0].result, ComplianceLevel::pass);
  EXPECT_NEAR(*report->rows[0].value, 20, 1e-3);
  EXPECT_EQ(report->rows[1].result, ComplianceLevel::minor);
  EXPECT_EQ(report->rows[2].result, ComplianceLevel::major);
  EXPECT_EQ(report->rows[3].result, ComplianceLevel::pass);
  EXPECT_FALSE(report->rows[3].value);
  EXPECT_NE(report->rows[3].reason.find("smaller than 20 cc"), std::string::npos) << report->rows[3].reason;
  EXPECT_EQ(report->rows[4].result, ComplianceLevel::not_evaluable);
  EXPECT_EQ(report->rows[4].reason, "required structure missing");
  EXPECT_EQ(report->missing_required, std::vector<std::string>{"PTV"});
  EXPECT_EQ(report->overall, ComplianceLevel::major);
  EXPECT_EQ(report->passed, 2);
  EXPECT_EQ(report->minor, 1);
  EXPECT_EQ(report->major, 1);
  EXPECT_EQ(report->not_evaluable, 1);
}

TEST(Protocol, FractionationOutsideTheProtocolNeedsAnEqd2Section) {
  const Solid rod{Shape::cylinder, 10, 40, {0, 0, 0}};
  StructureSet set;
  set.structures.push_back(testing::contour_solid(rod, 2, 1, "Rectum"));
  const DoseVolume dose = testing::make_dose_grid(rod, DoseModel{Gradient::along_z, 20, 0, {}}, 2, 0, 4);
  Protocol p;
  p.id = "test";
  p.fractions = {3};
  StructureRule rectum;
  rectum.name = "Rectum";
  rectum.constraints = {constraint("Max[Gy]", Comparison::less, 28.2)};
  p.structures = {rectum};
  CheckInputs in;
  in.structures = &set;
  in.dose = &dose;
  in.plan_fractions = 5;
  EXPECT_FALSE(evaluate_protocol(p, in));
  // With conversion (a/b 3): 20 Gy in 5 fx -> 20 (4 + 3) / 5 = 28 Gy EQD2; 28.2 Gy in 3 fx ->
  // 28.2 (9.4 + 3) / 5 = 69.936 Gy EQD2.
  p.eqd2 = Eqd2Conversion{3, 3};
  auto report = evaluate_protocol(p, in);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_NEAR(*report->rows[0].value, 28, 1e-3);
  EXPECT_NEAR(*report->rows[0].limit, 69.936, 1e-9);
  EXPECT_TRUE(report->rows[0].eqd2);
}

TEST(Protocol, TableLimitsAreInterpolatedAtThePtvVolume) {
  // A 12 mm sphere PTV (7.24 cc) in uniform 30 Gy inside a body: CI = PIV / TV with PIV the body
  // volume >= 30 Gy, which is the whole body here.
  const Solid sphere{Shape::sphere, 12, 24, {0, 0, 0}};
  const Solid body{Shape::cylinder, 16, 32, {0, 0, 0}};
  StructureSet set;
  set.structures.push_back(testing::contour_solid(body, 2, 1, "BODY"));
  set.structures.back().interpreted_type = "EXTERNAL";
  set.structures.push_back(testing::contour_solid(sphere, 2, 2, "PTV1"));
  set.structures.back().interpreted_type = "PTV";
  const DoseVolume dose = testing::make_dose_grid(body, DoseModel{Gradient::along_z, 30, 0, {}}, 2, 0, 4);
  Protocol p;
  p.id = "spill";
  StructureRule ptv;
  ptv.name = "PTV";
  ptv.patterns = {*RoiPattern::compile("PTV.*")};
  ptv.role = StructureRole::target;
  Constraint r50 = constraint("R50%", Comparison::less_equal, 0);
  r50.limit.reset();
  r50.table = LimitTable{{1.8, 3.8, 7.4}, {5.9, 5.5, 5.1}, {7.5, 6.5, 6.0}};
  ptv.constraints = {r50};
  p.structures = {ptv};
  CheckInputs in;
  in.structures = &set;
  in.dose = &dose;
  in.plan_rx_gy = 30;
  auto report = evaluate_protocol(p, in);
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->rows.size(), 1u);
  const auto& row = report->rows[0];
  const double tv = report->targets.at(0).tv_cc;
  EXPECT_NEAR(*row.limit, 5.5 + (tv - 3.8) / (7.4 - 3.8) * (5.1 - 5.5), 1e-9);
  EXPECT_NEAR(*row.minor_limit, 6.5 + (tv - 3.8) / (7.4 - 3.8) * (6.0 - 6.5), 1e-9);
  // The whole body (pi 16^2 32 mm^3 = 25.7 cc) is at Rx: R50% = 25.7 / 7.24 = 3.55, no deviation.
  EXPECT_NEAR(*row.value, 25.7359 / tv, 0.01 * 25.7359 / tv);
  EXPECT_EQ(row.result, ComplianceLevel::pass);
}

}  // namespace
}  // namespace sbrtkit

namespace sbrtkit {
namespace {

// Which DVH warnings reach a constraint row is decided by their kind, not their wording: the part of a
// structure outside the dose grid is said on every row of it; an ignored open contour is not (it does
// not change the metric). Rod R 10 mm x 40 mm in a uniform 20 Gy field.
TEST(Protocol, RowsCarryOutsideGridWarningsByKind) {
  const testing::Solid rod{testing::Shape::cylinder, 10, 40, {0, 0, 0}};
  const DoseVolume dose = testing::make_dose_grid(rod, testing::DoseModel{testing::Gradient::along_z, 20, 0, {}}, 2, 0, 4);
  StructureSet set;
  set.structures.push_back(testing::contour_solid(rod, 2, 1, "Rectum"));
  set.structures.back().contours.push_back({ContourType::open_planar, {{0, 0, 0}, {1, 0, 0}, {1, 1, 0}}});
  // The same rod moved 20 mm along x: x 10..30 mm, beyond the grid (half-width 24 mm = 20 mm half-length
  // + 4 mm margin, plus the outer half voxel).
  Structure moved = testing::contour_solid(rod, 2, 2, "Bladder");
  for (auto& c : moved.contours)
    for (auto& pt : c.points) pt.x += 20;
  set.structures.push_back(moved);

  Protocol p;
  p.id = "kinds";
  p.fractions = {3};
  for (const char* name : {"Rectum", "Bladder"}) {
    StructureRule r;
    r.name = name;
    r.constraints = {constraint("Max[Gy]", Comparison::less, 25)};
    p.structures.push_back(r);
  }
  CheckInputs in;
  in.structures = &set;
  in.dose = &dose;
  in.plan_fractions = 3;
  auto report = evaluate_protocol(p, in);
  ASSERT_TRUE(report) << report.error().message();
  ASSERT_EQ(report->rows.size(), 2u);
  EXPECT_EQ(report->rows[0].reason.find("open contour"), std::string::npos) << report->rows[0].reason;
  EXPECT_EQ(report->rows[0].reason.find("outside the dose grid"), std::string::npos) << report->rows[0].reason;
  EXPECT_NE(report->rows[1].reason.find("outside the dose grid"), std::string::npos) << report->rows[1].structure << ": " << report->rows[1].reason;
  EXPECT_NEAR(*report->rows[1].value, 20, 1e-3);  // the covered part still reads the uniform 20 Gy
}

}  // namespace
}  // namespace sbrtkit
