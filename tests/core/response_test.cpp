// Lesion response: matching, PERCIST-style change, location and patient-level calls on synthetic
// lesion sets whose answers follow from their construction.
#include "sbrtkit/response.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sbrtkit {
namespace {

/// Lesion made of the centres of a 2 mm grid inside a sphere (grid aligned with the planning axes).
ResponseLesion sphere(const std::string& name, PatientPoint c, double radius_mm, double suv, double spacing = 2.0) {
  ResponseLesion l;
  l.name = name;
  l.voxel_size_mm = spacing;
  l.voxel_volume_mm3 = spacing * spacing * spacing;
  const int n = int(std::ceil(radius_mm / spacing));
  for (int i = -n; i <= n; ++i)
    for (int j = -n; j <= n; ++j)
      for (int k = -n; k <= n; ++k)
        if (i * i + j * j + k * k <= (radius_mm / spacing) * (radius_mm / spacing))
          l.points.push_back({c.x + i * spacing, c.y + j * spacing, c.z + k * spacing});
  l.volume_cc = double(l.points.size()) * l.voxel_volume_mm3 / 1000.0;
  l.centroid = c;
  l.suv_max = suv;
  l.suv_peak = 0.9 * suv;
  l.suv_mean = 0.7 * suv;
  l.tlg = l.suv_mean * l.volume_cc;
  l.ptv = "PTV_A";
  l.ptv_distance_mm = 200;  // far from the PTV unless a test says otherwise
  l.prescription_gy = 30;
  l.centroid_dose_gy = 0;
  l.point_dose_gy.assign(l.points.size(), 0.0);
  return l;
}

TEST(Response, OverlapOfShiftedCubesCountsSharedCentres) {
  // Two 5 x 5 x 5 cubes of 2 mm voxels shifted by 2 voxels along x share 3 x 5 x 5 = 75 centres,
  // i.e. 75 x 8 mm^3 = 0.6 cc, exactly (centres coincide, so the half-voxel test is exact).
  ResponseLesion a, b;
  for (auto* l : {&a, &b}) {
    l->voxel_size_mm = 2;
    l->voxel_volume_mm3 = 8;
  }
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      for (int k = 0; k < 5; ++k) {
        a.points.push_back({2.0 * i, 2.0 * j, 2.0 * k});
        b.points.push_back({2.0 * (i + 2), 2.0 * j, 2.0 * k});
      }
  EXPECT_DOUBLE_EQ(overlap_cc(a, b), 0.6);
  EXPECT_DOUBLE_EQ(overlap_cc(b, a), 0.6);
  // A shift of 0.9 mm (< half a voxel) keeps all 125 centres inside.
  for (auto& p : b.points) p.x -= 4.0 - 0.9;
  EXPECT_DOUBLE_EQ(overlap_cc(a, b), 1.0);
}

TEST(Response, VanishedLesionIsCompleteResponse) {
  const std::vector<ResponseLesion> base = {sphere("A", {0, 0, 0}, 8, 10), sphere("B", {60, 0, 0}, 6, 8)};
  const std::vector<ResponseLesion> follow = {sphere("A1", {1, 0, 0}, 8, 9.5)};
  auto r = assess_response(base, follow, {});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->lesions.size(), 2u);
  EXPECT_EQ(r->lesions[0].status, ResponseStatus::stable);  // -5% of SUVpeak
  EXPECT_EQ(r->lesions[0].match, MatchKind::overlap);
  EXPECT_EQ(*r->lesions[0].baseline, 0);
  EXPECT_EQ(r->lesions[1].status, ResponseStatus::complete_response);
  EXPECT_EQ(*r->lesions[1].baseline, 1);
  EXPECT_FALSE(r->lesions[1].followup);
  EXPECT_EQ(r->patient.complete_response, 1);
  EXPECT_EQ(r->patient.progressing + r->patient.new_lesions, 0);
  EXPECT_EQ(r->patient.oligo_call, "no progressing or new lesion");
}

TEST(Response, MergedLesionsFormOneGroupWithSummedVolume) {
  // Two baseline spheres (r 5 mm, 30 mm apart) and one follow-up ellipsoid-like union covering both.
  std::vector<ResponseLesion> base = {sphere("A", {-15, 0, 0}, 5, 6), sphere("B", {15, 0, 0}, 5, 6)};
  ResponseLesion merged = sphere("M", {0, 0, 0}, 22, 6);
  auto r = assess_response(base, {merged}, {});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(r->groups[0].kind, MatchKind::merge);
  EXPECT_EQ(r->groups[0].baseline.size(), 2u);
  ASSERT_EQ(r->lesions.size(), 1u);  // no vanished baseline lesion: both are in the group
  EXPECT_EQ(r->lesions[0].match, MatchKind::merge);
  // Volume change against the SUM of the baseline volumes (counts of grid centres, exact).
  const double expected = 100.0 * (merged.volume_cc - 2 * base[0].volume_cc) / (2 * base[0].volume_cc);
  EXPECT_NEAR(*r->lesions[0].volume_change_pct, expected, 1e-9);
  // Same SUVpeak: the uptake criterion is not met, but TLG grew far beyond +75% (PERCIST PMD by TLG).
  EXPECT_EQ(r->lesions[0].change, ResponseChange::progressing);
  std::string notes;
  for (const auto& n : r->lesions[0].notes) notes += n + "; ";
  EXPECT_NE(notes.find("merge: A+B -> M"), std::string::npos) << notes;
  EXPECT_NE(notes.find("progressing by TLG"), std::string::npos) << notes;
  // The split: the same sets in the other direction.
  auto s = assess_response({merged}, base, {});
  ASSERT_TRUE(s);
  ASSERT_EQ(s->groups.size(), 1u);
  EXPECT_EQ(s->groups[0].kind, MatchKind::split);
  EXPECT_EQ(s->lesions.size(), 2u);
  // Same SUVpeak, smaller total volume and TLG: no uptake criterion is met, so stable.
  EXPECT_EQ(s->lesions[0].status, ResponseStatus::stable);
  EXPECT_EQ(s->lesions[0].group, s->lesions[1].group);
}

// A baseline lesion the follow-up segmentation missed is judged on the uptake at its place (issue 13: a
// treated lesion from SUV 10 to 3 was called complete response because the seed SUV 3 did not pick it up).
// Baseline SUVpeak 9 (sphere(): 0.9 x SUVmax 10); the shell's 95th percentile 0.7 (median 0.5).
UptakeAtPlace at_place(double suv_peak) {
  UptakeAtPlace a;
  a.suv_peak = suv_peak;
  a.suv_max = suv_peak / 0.9;
  a.background_median_suv = 0.5;
  a.background_level_suv = 0.7;
  a.voxels_measured = 100;
  return a;
}

TEST(Response, UnsegmentedLesionAboveBackgroundIsJudgedByChangeNotCalledComplete) {
  ResponseLesion treated = sphere("T", {0, 0, 0}, 8, 10);
  treated.ptv_distance_mm = -5;
  treated.followup_at_place = at_place(2.7);  // -70% and -6.3 SUV: responding
  auto r = assess_response({treated}, {}, {});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->lesions.size(), 1u);
  EXPECT_EQ(r->lesions[0].change, ResponseChange::responding);
  EXPECT_EQ(r->lesions[0].status, ResponseStatus::responding);
  EXPECT_NEAR(*r->lesions[0].uptake_change_pct, 100.0 * (2.7 - 9) / 9, 1e-9);
  EXPECT_FALSE(r->lesions[0].volume_change_pct);  // not segmented: unknown, not -100%
  EXPECT_FALSE(r->lesions[0].tlg_change_pct);
  EXPECT_EQ(r->patient.complete_response, 0);
  EXPECT_EQ(r->patient.responding, 1);
}

TEST(Response, UnsegmentedLesionAtBackgroundIsCompleteResponse) {
  ResponseLesion treated = sphere("T", {0, 0, 0}, 8, 10);
  treated.ptv_distance_mm = -5;
  for (double peak : {0.65, 0.7}) {  // below and exactly at the shell's 95th percentile: complete response
    treated.followup_at_place = at_place(peak);
    auto r = assess_response({treated}, {}, {});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->lesions[0].status, ResponseStatus::complete_response) << peak;
  }
  // Just above the percentile: residual contrast (0.71 - 0.5) / (9 - 0.5) = 2.5% <= 10%: still complete.
  treated.followup_at_place = at_place(0.71);
  EXPECT_EQ(assess_response({treated}, {}, {})->lesions[0].status, ResponseStatus::complete_response);
  // Residual contrast 14.1% (1.7 - 0.5 over 8.5) and above the percentile: judged by the change rules (-81%).
  treated.followup_at_place = at_place(1.7);
  EXPECT_EQ(assess_response({treated}, {}, {})->lesions[0].status, ResponseStatus::responding);
  ResponseRules lenient;
  lenient.complete_response_residual_contrast_pct = 15;
  EXPECT_EQ(assess_response({treated}, {}, lenient)->lesions[0].status, ResponseStatus::complete_response);
  // Covered by the spill-out of a neighbouring follow-up lesion: nothing of its own to measure.
  UptakeAtPlace covered;
  covered.voxels_near_other_lesion = 40;
  covered.nearest_followup_lesion = "F4";
  treated.followup_at_place = covered;
  auto c = assess_response({treated}, {}, {});
  EXPECT_EQ(c->lesions[0].status, ResponseStatus::complete_response);
  EXPECT_NE(c->lesions[0].notes.back().find("F4"), std::string::npos);
  ResponseRules bad;
  bad.complete_response_background_percentile = 101;
  EXPECT_FALSE(assess_response({treated}, {}, bad));  // a percentile above 100 is refused
  ResponseRules negative;
  negative.complete_response_residual_contrast_pct = -1;
  EXPECT_FALSE(assess_response({treated}, {}, negative));  // so is a negative residual contrast
}

TEST(Response, UnsegmentedLesionHotterAtItsPlaceIsProgressionInField) {
  ResponseLesion treated = sphere("T", {0, 0, 0}, 8, 10);
  treated.ptv_distance_mm = -5;                // inside the PTV: in-field
  treated.followup_at_place = at_place(13.5);  // +50% and +4.5 SUV
  auto r = assess_response({treated}, {}, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->lesions[0].change, ResponseChange::progressing);
  EXPECT_EQ(r->lesions[0].status, ResponseStatus::in_field_progression);
}

TEST(Response, FollowUpWithoutLesions) {
  const std::vector<ResponseLesion> base = {sphere("A", {0, 0, 0}, 8, 10), sphere("B", {60, 0, 0}, 6, 8)};
  auto r = assess_response(base, {}, {});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->lesions.size(), 2u);
  for (const auto& l : r->lesions) EXPECT_EQ(l.status, ResponseStatus::complete_response);
  EXPECT_EQ(r->patient.recip, RecipCall::complete_response);
  EXPECT_EQ(r->patient.ppp_call, "no PPP by imaging");
  EXPECT_FALSE(r->patient.oligoprogressive);
  // Nothing at either time point: not evaluable, and no crash.
  auto e = assess_response({}, {}, {});
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->lesions.empty());
  EXPECT_EQ(e->patient.recip, RecipCall::not_evaluable);
}

TEST(Response, PercistThresholdsAreStrict) {
  // SUVpeak = 0.9 x SUVmax in sphere(); baseline SUVpeak 4.5.
  auto run = [](double suv_max_after) {
    auto r = assess_response({sphere("A", {0, 0, 0}, 6, 5)}, {sphere("A", {0, 0, 0}, 6, suv_max_after)}, {});
    return r->lesions[0].change;
  };
  // +31% and +1.4 SUV: progressing; +29%: stable (> 30% needed).
  EXPECT_EQ(run(5 * 1.31), ResponseChange::progressing);
  EXPECT_EQ(run(5 * 1.29), ResponseChange::stable);
  EXPECT_EQ(run(5 * 0.65), ResponseChange::responding);  // -35%, -1.6 SUV
  // Low uptake: +40% is only +0.36 SUVpeak (< 0.8): stable.
  auto low = assess_response({sphere("A", {0, 0, 0}, 6, 1.0)}, {sphere("A", {0, 0, 0}, 6, 1.4)}, {});
  EXPECT_EQ(low->lesions[0].change, ResponseChange::stable);
  // SUVmax as the metric gives the same calls here (the ratio is the same).
  ResponseRules rm;
  rm.metric = ChangeMetric::suv_max;
  auto m = assess_response({sphere("A", {0, 0, 0}, 6, 5)}, {sphere("A", {0, 0, 0}, 6, 6.6)}, rm);
  EXPECT_EQ(m->lesions[0].change, ResponseChange::progressing);  // +32%, +1.6
}

TEST(Response, LocationOfNewLesions) {
  ResponseLesion in = sphere("IN", {0, 0, 0}, 4, 8);
  in.ptv_distance_mm = -2;  // centroid inside the PTV
  ResponseLesion iso = sphere("ISO", {0, 50, 0}, 4, 8);
  iso.ptv_distance_mm = 3;
  iso.point_dose_gy.assign(iso.points.size(), 29.0);  // all at 96.7% of 30 Gy >= 95%
  ResponseLesion marg_dose = sphere("MD", {0, 100, 0}, 4, 8);
  marg_dose.ptv_distance_mm = 25;
  marg_dose.centroid_dose_gy = 15.0;  // exactly 50% of 30 Gy: marginal (>=)
  ResponseLesion marg_dist = sphere("MX", {0, 150, 0}, 4, 8);
  marg_dist.ptv_distance_mm = 20;  // exactly 20 mm: marginal (<=)
  ResponseLesion out = sphere("OUT", {0, 200, 0}, 4, 8);
  out.ptv_distance_mm = 20.5;
  out.centroid_dose_gy = 14.9;
  auto r = assess_response({}, {in, iso, marg_dose, marg_dist, out}, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->lesions[0].status, ResponseStatus::in_field_progression);
  EXPECT_EQ(r->lesions[1].status, ResponseStatus::in_field_progression);
  EXPECT_NEAR(*r->lesions[1].in_field_fraction, 1.0, 0);
  EXPECT_EQ(r->lesions[2].status, ResponseStatus::marginal_recurrence);
  EXPECT_EQ(r->lesions[3].status, ResponseStatus::marginal_recurrence);
  EXPECT_EQ(r->lesions[4].status, ResponseStatus::new_lesion);
  EXPECT_EQ(r->patient.new_lesions, 5);
  EXPECT_FALSE(r->patient.oligoprogressive);  // 5 > 3
  EXPECT_TRUE(r->patient.ppp_by_imaging);
  ResponseRules five;
  five.oligo_max_lesions = 5;
  EXPECT_TRUE(assess_response({}, {in, iso, marg_dose, marg_dist, out}, five)->patient.oligoprogressive);
}

TEST(Response, RecurrenceNextToTreatedLesionIsNotMatched) {
  ResponseLesion treated = sphere("T", {0, 0, 0}, 6, 11);
  treated.ptv_distance_mm = -8;
  ResponseLesion rec = sphere("R", {14.5, 0, 0}, 5, 7.5);  // no overlap (6 + 5 < 14.5 - 2)
  rec.ptv_distance_mm = 3;
  rec.centroid_dose_gy = 25;
  ResponseRules wide;
  wide.max_match_distance_mm = 20;
  auto r = assess_response({treated}, {rec}, wide);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->lesions.size(), 2u);
  EXPECT_EQ(r->lesions[0].status, ResponseStatus::marginal_recurrence);
  EXPECT_EQ(r->lesions[1].status, ResponseStatus::complete_response);
  EXPECT_TRUE(r->lesions[1].treated);
  // Without the rule the wide window matches them and the recurrence reads as a response (-32%).
  wide.recurrence_leaves_ptv = false;
  auto m = assess_response({treated}, {rec}, wide);
  ASSERT_EQ(m->lesions.size(), 1u);
  EXPECT_EQ(m->lesions[0].match, MatchKind::distance);
  EXPECT_EQ(m->lesions[0].status, ResponseStatus::responding);
}

TEST(Response, RecipOnTotalVolume) {
  // Baseline 1 lesion; follow-up the same lesion grown (r 6 -> 8: volume x ~2.4) plus one new one.
  auto r = assess_response({sphere("A", {0, 0, 0}, 6, 5)},
                           {sphere("A", {0, 0, 0}, 8, 5), sphere("N", {0, 100, 0}, 4, 6)}, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->patient.recip, RecipCall::progressive_disease);
  EXPECT_EQ(r->patient.new_lesions, 1);
  EXPECT_NE(r->patient.ppp_call.find("criterion 2"), std::string::npos);
  // Shrinking by more than 30% without a new lesion: PR.
  auto p = assess_response({sphere("A", {0, 0, 0}, 8, 5)}, {sphere("A", {0, 0, 0}, 6, 5)}, {});
  EXPECT_EQ(p->patient.recip, RecipCall::partial_response);
}

TEST(Response, InvalidRulesAreErrors) {
  ResponseRules r;
  r.treated_volume_pct = 120;
  EXPECT_FALSE(assess_response({}, {}, r));
  r = {};
  r.oligo_max_lesions = 0;
  EXPECT_FALSE(validate_rules(r));
  EXPECT_GE(describe_rules({}).size(), 7u);
}

}  // namespace
}  // namespace sbrtkit

namespace sbrtkit {
namespace {

TEST(Response, PointsOutsideTheDoseGridAreUnknownNotZeroGy) {
  // A new lesion outside the PTV: 3 of its 4 points have known dose at 100% of 30 Gy, one lies outside the
  // dose grid. Counted as 0 Gy (the old value_or(0.0)) the in-field fraction would be 3/4 = 75%, below the
  // 80% rule (out of field); unknown, it is 3/3 = 100% of the known volume: in field, with a note.
  ResponseLesion l = sphere("N", {0, 0, 0}, 0, 8);
  l.points = {{0, 0, 0}, {2, 0, 0}, {0, 2, 0}, {0, 0, 2}};
  l.volume_cc = 4 * l.voxel_volume_mm3 / 1000;
  l.ptv_distance_mm = 30;
  l.point_dose_gy = {30.0, 30.0, 30.0, std::nullopt};
  auto r = assess_response({}, {l}, {});
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->lesions[0].in_field_fraction);
  EXPECT_DOUBLE_EQ(*r->lesions[0].in_field_fraction, 1.0);
  EXPECT_EQ(r->lesions[0].location, FieldLocation::in_field);
  bool noted = false;
  for (const auto& n : r->lesions[0].notes) noted = noted || n.find("1 of 4 voxels outside the dose grid") != std::string::npos;
  EXPECT_TRUE(noted);
  // No point of known dose: the fraction is unknown (null in JSON, '-' in tables), not 0.
  l.point_dose_gy.assign(4, std::nullopt);
  auto none = assess_response({}, {l}, {});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->lesions[0].in_field_fraction);
}

}  // namespace
}  // namespace sbrtkit
