// `history` use case on the two-course patient of tests/support/history_patient.h: every expected value
// comes from the construction (uniform or linear doses on known grids, known rigid maps, closed-form EQD2).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "sbrtkit/pipelines/history.h"
#include "sbrtkit/radiobiology.h"
#include "support/dicom_fixtures.h"
#include "support/history_patient.h"

namespace sbrtkit {
namespace {

using testing::FrameLink;
using testing::HistoryPatientOptions;
using testing::ScratchDir;

/// EQD2 of a uniform course by hand: D (D/n + a/b) / (2 + a/b).
double eqd2(double d, int n, double ab) { return d * (d / n + ab) / (2 + ab); }

const HistoryStructure& structure(const HistoryReport& r, const std::string& name) {
  for (const auto& s : r.structures)
    if (s.name == name) return s;
  throw std::runtime_error("no structure " + name);
}

float voxel_at(const DoseVolume& d, PatientPoint p) { return d.at(d.geometry.nearest_voxel(p)); }

bool has_warning(const HistoryReport& r, const std::string& a, const std::string& b = "") {
  for (const auto& w : r.warnings)
    if (w.find(a) != std::string::npos && w.find(b) != std::string::npos) return true;
  return false;
}

/// Largest difference of the images of a few points of the treated region under two maps (mm).
double map_difference_mm(const RigidMap& a, const RigidMap& b) {
  double worst = 0;
  for (double x : {-30.0, 30.0})
    for (double y : {10.0, 70.0})
      for (double z : {-40.0, 20.0}) {
        const PatientPoint p{x, y, z};
        const Vec3 d = a.apply(p) - b.apply(p);
        worst = std::max(worst, std::sqrt(d.x * d.x + d.y * d.y + d.z * d.z));
      }
  return worst;
}

TEST(History, TwoCoursesLinkedBySpatialRegistration) {
  ScratchDir dir;
  const auto truth = testing::write_history_patient(dir.path());
  HistoryRequest req;
  req.patient_dir = dir.path();
  auto rep = run_history(req);
  ASSERT_TRUE(rep) << rep.error().message();

  // Courses in date order; the latest is the reference.
  ASSERT_EQ(rep->courses.size(), 2u);
  EXPECT_EQ(rep->courses[0].plan_uid, truth.plan1_uid);
  EXPECT_EQ(rep->courses[0].date, "2024-01-01");
  EXPECT_NE(rep->courses[0].date_source.find("RTPlanDate (300A,0006)"), std::string::npos);
  EXPECT_EQ(rep->courses[0].fractions, 3);
  EXPECT_EQ(rep->reference_plan_uid, truth.plan2_uid);
  EXPECT_EQ(rep->reference_course, 1u);
  EXPECT_EQ(rep->reference_frame_of_reference_uid, truth.frame2_uid);

  // The registration object's map, exactly (its matrix is written with DS precision, ~1e-6).
  const RigidMap& m = rep->courses[0].to_reference;
  EXPECT_EQ(rep->courses[0].registration.method, "spatial registration");
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(m.rotation[i], truth.course1_to_reference.rotation[i], 1e-6) << i;
  EXPECT_NEAR(m.translation_mm.x, 10, 1e-4);
  EXPECT_NEAR(m.translation_mm.y, -6, 1e-4);
  EXPECT_NEAR(m.translation_mm.z, 20, 1e-4);
  // The CTs agree under it: the correlation of an exact map of the same anatomy is near 1.
  ASSERT_TRUE(rep->courses[0].registration.correlation);
  EXPECT_GT(*rep->courses[0].registration.correlation, 0.95);
  EXPECT_FALSE(rep->courses[0].registration.poor);

  // Cord: both uniform courses cover part of it. 3 x 8 Gy + 5 x 5 Gy at a/b 2 by hand: 60 + 43.75.
  const auto& cord = structure(*rep, "SpinalCord");
  ASSERT_TRUE(cord.alpha_beta_gy);
  EXPECT_EQ(*cord.alpha_beta_gy, 2.0);
  const double cord_eqd2 = eqd2(24, 3, 2) + eqd2(25, 5, 2);
  EXPECT_DOUBLE_EQ(cord_eqd2, 103.75);
  // Tolerances: doses are stored as 32-bit integers times DoseGridScaling (relative error ~1e-9) and
  // summed in float: 1e-3 Gy is far above both, far below any geometric error.
  EXPECT_NEAR(*cord.cumulative_physical.max_gy, 49.0, 1e-3);
  EXPECT_NEAR(*cord.cumulative_eqd2.max_gy, cord_eqd2, 1e-3);
  EXPECT_NEAR(*cord.cumulative_eqd2.d0_035cc_gy, cord_eqd2, 1e-3);  // 2.8 cc of cord lie in both fields
  ASSERT_EQ(cord.per_course.size(), 2u);
  EXPECT_NEAR(*cord.per_course[0].max_gy, 24.0, 1e-3);
  EXPECT_NEAR(*cord.per_course[0].eqd2_max_gy, 60.0, 1e-3);
  EXPECT_NEAR(*cord.per_course[1].eqd2_max_gy, 43.75, 1e-3);
  // The cord (z -60..60) runs out of both grids: counted as 0 Gy there, and said.
  EXPECT_GT(cord.per_course[0].outside_grid_cc, 1.0);
  EXPECT_TRUE(has_warning(*rep, "course 1", "SpinalCord"));

  // Bowel lies in course 2's field only (z 12.5..21.5 with end caps; course 1 ends below z = 8).
  const auto& bowel = structure(*rep, "Bowel");
  EXPECT_NEAR(*bowel.cumulative_physical.max_gy, 25.0, 1e-3);
  EXPECT_NEAR(*bowel.cumulative_eqd2.max_gy, eqd2(25, 5, 3), 1e-3);  // organ a/b 3: 40 Gy
  EXPECT_NEAR(*bowel.per_course[0].max_gy, 0.0, 1e-6);
  EXPECT_NEAR(bowel.per_course[0].outside_grid_cc, bowel.volume_cc, 1e-6 + 1e-3 * bowel.volume_cc);
  EXPECT_NEAR(bowel.per_course[1].outside_grid_cc, 0.0, 1e-9);
  EXPECT_TRUE(has_warning(*rep, "course 1", "Bowel"));
  EXPECT_FALSE(has_warning(*rep, "course 2", "Bowel"));

  // Per-voxel a/b, at voxel centres of the accumulation grid deep inside both fields:
  const DoseVolume& e = rep->accumulated.eqd2_gy;
  EXPECT_NEAR(voxel_at(e, {1.5, 56.5, -10.5}), eqd2(24, 3, 2) + eqd2(25, 5, 2), 1e-3);    // cord: 2
  EXPECT_NEAR(voxel_at(e, {13.5, 41.5, -1.5}), eqd2(24, 3, 10) + eqd2(25, 5, 10), 1e-3);  // PTV only: 10
  EXPECT_NEAR(voxel_at(e, {1.5, 29.5, -1.5}), eqd2(24, 3, 3) + eqd2(25, 5, 3), 1e-3);     // PTV and vertebra: 3 wins
  EXPECT_NEAR(voxel_at(e, {-25.5, 14.5, -10.5}), eqd2(24, 3, 3) + eqd2(25, 5, 3), 1e-3);  // elsewhere: 3
  // A PTV edge voxel (cell y 43..46, the PTV ends at 45): part of it is tissue of no structure, 3 wins.
  EXPECT_NEAR(voxel_at(e, {10.5, 44.5, -1.5}), eqd2(24, 3, 3) + eqd2(25, 5, 3), 1e-3);
  EXPECT_NEAR(voxel_at(rep->accumulated.physical_gy, {-25.5, 14.5, -10.5}), 49.0, 1e-3);

  // Sahgal 2012 limits on the cord (EQD2 at a/b 2 = nBED Gy2/2).
  int judged = 0;
  for (const auto& l : rep->limits) {
    if (l.structure != "SpinalCord") continue;
    ++judged;
    ASSERT_TRUE(l.passed) << l.constraint;
    if (l.scope == LimitScope::cumulative) {
      EXPECT_NEAR(*l.value_gy, 103.75, 1e-3);
      EXPECT_FALSE(*l.passed);
      EXPECT_NEAR(*l.margin_gy, 70 - 103.75, 1e-3);
      EXPECT_NEAR(*l.sum_of_courses_gy, 60 + 43.75, 1e-3);
    } else if (!l.relative_to_cumulative) {
      EXPECT_EQ(l.plan_uid, truth.plan2_uid);
      EXPECT_NEAR(*l.value_gy, 43.75, 1e-3);
      EXPECT_FALSE(*l.passed);
      EXPECT_NEAR(*l.margin_gy, 25 - 43.75, 1e-3);
    } else {
      EXPECT_NEAR(*l.limit_gy, 0.5 * 103.75, 1e-3);
      EXPECT_TRUE(*l.passed);
      EXPECT_NEAR(*l.margin_gy, 0.5 * 103.75 - 43.75, 1e-3);
    }
    EXPECT_NE(l.source.find("Sahgal"), std::string::npos);
  }
  EXPECT_EQ(judged, 3);
  // No thecal sac contoured: its rows are there, not evaluable.
  bool thecal = false;
  for (const auto& l : rep->limits) thecal |= l.protocol_structure == "ThecalSac" && !l.passed && !l.reason.empty();
  EXPECT_TRUE(thecal);
  // 2024-01-01 -> 2024-08-01: 213 days; 5 calendar months reach 2024-06-01, 61 days before.
  ASSERT_EQ(rep->intervals.size(), 1u);
  EXPECT_EQ(rep->intervals[0].days, 213);
  EXPECT_EQ(rep->intervals[0].earliest_date, "2024-06-01");
  EXPECT_EQ(rep->intervals[0].margin_days, 61);
  EXPECT_TRUE(rep->intervals[0].passed);
}

TEST(History, DoseMovedByAKnownTransformLandsWhereItShould) {
  ScratchDir dir;
  HistoryPatientOptions o;
  o.dose1_gy = 20;
  o.gradient_gy_per_mm = 0.1;  // D1(p1) = 20 + 0.1 (x1 - c1.x): trilinear interpolation reproduces it exactly
  const auto truth = testing::write_history_patient(dir.path(), o);
  HistoryRequest req;
  req.patient_dir = dir.path();
  req.no_limits = true;
  auto rep = run_history(req);
  ASSERT_TRUE(rep) << rep.error().message();
  const DoseVolume& phys = rep->accumulated.physical_gy;
  const ImageGeometry& g = phys.geometry;
  const RigidMap to_course1 = truth.course1_to_reference.inverse();
  const PatientPoint c1 = truth.course1_dose_centre_in_own_frame;
  int checked = 0, outside_both = 0;
  for (std::int64_t v = 0; v < g.voxel_count(); v += 7) {
    const PatientPoint q = g.to_patient(g.index_of(v));
    const PatientPoint p1 = to_course1.apply(q);
    // Course-1 cells span c1 +- (42, 42, 21); keep 1.6 mm (half a voxel and rounding) from the edges,
    // where the value is the edge voxel's extension rather than the line.
    const bool in1 = std::abs(p1.x - c1.x) < 40.4 && std::abs(p1.y - c1.y) < 40.4 && std::abs(p1.z - c1.z) < 19.4;
    const bool out1 = std::abs(p1.x - c1.x) > 42.1 || std::abs(p1.y - c1.y) > 42.1 || std::abs(p1.z - c1.z) > 21.1;
    // Course-2 cells span x [-30, 30], y [10, 70], z [-24, 24]: the accumulation lattice is course 2's.
    const bool in2 = std::abs(q.x) < 30 && q.y > 10 && q.y < 70 && std::abs(q.z) < 24;
    if (!in1 && !out1) continue;
    const double expected = (in1 ? 20 + 0.1 * (p1.x - c1.x) : 0.0) + (in2 ? 25.0 : 0.0);
    EXPECT_NEAR(phys.voxels[std::size_t(v)], expected, 2e-3) << q.x << " " << q.y << " " << q.z;
    ++checked;
    outside_both += !in1 && !in2;
  }
  EXPECT_GT(checked, 1000);
  EXPECT_GT(outside_both, 10);  // the union grid reaches beyond course 2 into course 1's rotated box
}

TEST(History, RigidRegistrationRecoversTheCourseAndStudyFrames) {
  ScratchDir dir;
  HistoryPatientOptions o;
  o.link = FrameLink::ct_registration;
  o.studies = 1;
  const auto truth = testing::write_history_patient(dir.path(), o);
  HistoryRequest req;
  req.patient_dir = dir.path();
  auto rep = run_history(req);
  ASSERT_TRUE(rep) << rep.error().message();
  const auto& c = rep->courses[0];
  EXPECT_EQ(c.registration.method, "rigid registration");
  ASSERT_TRUE(c.registration.metric_value);
  EXPECT_LT(*c.registration.metric_value, 0);  // Mattes MI is negative
  // The acceptance: within 0.3 degree and 1 mm. The difference map's angle catches a wrong
  // direction (4 degrees about z would give 8 degrees); point images catch a wrong translation.
  const RigidMap diff = c.to_reference.after(truth.course1_to_reference.inverse());
  EXPECT_LT(diff.angle_deg(), 0.3);
  EXPECT_LT(map_difference_mm(c.to_reference, truth.course1_to_reference), 1.0);
  EXPECT_GT(*c.registration.correlation, 0.8);
  EXPECT_FALSE(c.registration.poor);
  ASSERT_EQ(rep->studies.size(), 1u);
  const auto& s = rep->studies[0];
  EXPECT_TRUE(s.placed);
  EXPECT_EQ(s.registration.method, "rigid registration");
  EXPECT_EQ(s.series_uid, truth.study_series_uids[0]);
  EXPECT_EQ(s.date, "2023-12-15");
  EXPECT_LT(s.to_reference.after(truth.study_to_reference[0].inverse()).angle_deg(), 0.3);
  EXPECT_LT(map_difference_mm(s.to_reference, truth.study_to_reference[0]), 1.0);
  // The cord maximum sits well inside both fields: a sub-millimetre error does not move it.
  EXPECT_NEAR(*structure(*rep, "SpinalCord").cumulative_eqd2.max_gy, 103.75, 1e-3);
}

TEST(History, CourseWithoutItsCtIsRefusedNamingTheStructureSet) {
  ScratchDir dir;
  HistoryPatientOptions o;
  o.link = FrameLink::ct_registration;
  o.write_course1_ct = false;
  testing::write_history_patient(dir.path(), o);
  HistoryRequest req;
  req.patient_dir = dir.path();
  auto rep = run_history(req);
  ASSERT_FALSE(rep);
  const std::string msg = rep.error().message();
  EXPECT_NE(msg.find("rs1.dcm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(3006,0014)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("(0020,0052)"), std::string::npos) << msg;
}

TEST(History, TwoCoursesOnOneDateNeedAReference) {
  ScratchDir dir;
  HistoryPatientOptions o;
  o.date1 = o.date2 = "20240801";
  const auto truth = testing::write_history_patient(dir.path(), o);
  HistoryRequest req;
  req.patient_dir = dir.path();
  req.no_limits = true;
  auto rep = run_history(req);
  ASSERT_FALSE(rep);
  EXPECT_NE(rep.error().message().find("(300A,0006) RTPlanDate"), std::string::npos) << rep.error().message();
  EXPECT_NE(rep.error().message().find("--reference"), std::string::npos);
  // With the reference given, the rest can be computed: a warning names both plans' files.
  req.reference_plan_uid = truth.plan2_uid;
  rep = run_history(req);
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(has_warning(*rep, "same date", "rp1.dcm"));
  EXPECT_EQ(rep->reference_plan_uid, truth.plan2_uid);
}

TEST(History, StudyWithoutAnyDateIsLeftOutWithAWarning) {
  ScratchDir dir;
  HistoryPatientOptions o;
  o.studies = 2;
  o.study_without_dates = true;
  const auto truth = testing::write_history_patient(dir.path(), o);
  HistoryRequest req;
  req.patient_dir = dir.path();
  req.no_limits = true;
  auto rep = run_history(req);
  ASSERT_TRUE(rep) << rep.error().message();
  ASSERT_EQ(rep->studies.size(), 1u);
  EXPECT_EQ(rep->studies[0].series_uid, truth.study_series_uids[0]);
  EXPECT_TRUE(rep->studies[0].placed);
  EXPECT_EQ(rep->studies[0].registration.method, "spatial registration");
  EXPECT_TRUE(has_warning(*rep, truth.study_series_uids[1], "StudyDate (0008,0020)"));
  EXPECT_TRUE(has_warning(*rep, "PT_0000.dcm", "left out")) << ::testing::PrintToString(rep->warnings);
}

TEST(History, UnknownReferenceListsTheCourses) {
  ScratchDir dir;
  const auto truth = testing::write_history_patient(dir.path());
  HistoryRequest req;
  req.patient_dir = dir.path();
  req.reference_plan_uid = "1.2.3.4";
  auto rep = run_history(req);
  ASSERT_FALSE(rep);
  EXPECT_NE(rep.error().message().find(truth.plan1_uid), std::string::npos);
  EXPECT_NE(rep.error().message().find("--reference"), std::string::npos);
}

TEST(History, RecoveryReducesTheEarlierCourseOnly) {
  ScratchDir dir;
  testing::write_history_patient(dir.path());
  const auto file = dir / "ab.yaml";
  std::ofstream(file) << "version: 1\nentries:\n  - names: [\"*spinalcord*\"]\n    alpha_beta_gy: 2\n"
                         "    source: test\n  - category: organ\n    alpha_beta_gy: 3\n    source: test\n"
                         "  - category: target\n    alpha_beta_gy: 10\n    source: test\n"
                         "elsewhere:\n  alpha_beta_gy: 3\n  source: test\n"
                         "recovery:\n  - names: [\"*spinalcord*\"]\n    fraction: 0.25\n    source: test value\n";
  HistoryRequest req;
  req.patient_dir = dir.path();
  req.alpha_beta_file = file;
  auto rep = run_history(req);
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_TRUE(rep->recovery_applied);
  // (1 - 0.25) x 60 + 43.75 in a voxel inside the cord: the first course recovers, the last does not.
  // (The DVH maximum is not used: samples at the cord's edge interpolate towards the unrecovered
  // neighbours outside it.)
  EXPECT_NEAR(voxel_at(rep->accumulated.eqd2_gy, {1.5, 56.5, -10.5}), 0.75 * 60 + 43.75, 1e-3);
  // Outside any recovering structure the sum is whole (elsewhere, a/b 3).
  EXPECT_NEAR(voxel_at(rep->accumulated.eqd2_gy, {-25.5, 14.5, -10.5}), eqd2(24, 3, 3) + eqd2(25, 5, 3), 1e-3);
  EXPECT_NEAR(*structure(*rep, "SpinalCord").cumulative_physical.max_gy, 49.0, 1e-3);
}

TEST(History, AWrongRegistrationObjectIsReportedAsPoor) {
  // The object maps course 1 25 mm off: the CT-to-CT correlation under it drops (bone onto water), and the
  // warning names the course. The dose is still accumulated as the object says (the user's call).
  ScratchDir dir;
  HistoryPatientOptions o;
  o.registration_object_error_mm = {0, 25, 0};
  testing::write_history_patient(dir.path(), o);
  HistoryRequest req;
  req.patient_dir = dir.path();
  req.no_limits = true;
  auto rep = run_history(req);
  ASSERT_TRUE(rep) << rep.error().message();
  const auto& reg = rep->courses[0].registration;
  EXPECT_EQ(reg.method, "spatial registration");
  EXPECT_TRUE(reg.poor);
  EXPECT_LT(*reg.correlation, 0.8);
  EXPECT_TRUE(has_warning(*rep, "poor registration of course 1", "rp1.dcm"));
}

TEST(History, PetWithoutItsCtIsNotPlacedAndTheRestIsComputed) {
  ScratchDir dir;
  HistoryPatientOptions o;
  o.link = FrameLink::ct_registration;
  o.studies = 2;
  o.last_study_without_ct = true;
  const auto truth = testing::write_history_patient(dir.path(), o);
  HistoryRequest req;
  req.patient_dir = dir.path();
  req.no_limits = true;
  auto rep = run_history(req);
  ASSERT_TRUE(rep) << rep.error().message();
  ASSERT_EQ(rep->studies.size(), 2u);
  EXPECT_TRUE(rep->studies[0].placed);
  EXPECT_FALSE(rep->studies[1].placed);
  // Said twice: at discovery (no CT in its frame, with the tag) and when it could not be placed.
  EXPECT_TRUE(has_warning(*rep, truth.study_series_uids[1], "no CT series in its frame of reference (0020,0052)"));
  EXPECT_TRUE(has_warning(*rep, truth.study_series_uids[1], "study not placed"));
  EXPECT_NEAR(*structure(*rep, "SpinalCord").cumulative_eqd2.max_gy, 103.75, 1e-3);  // the dose side is whole
}

}  // namespace
}  // namespace sbrtkit
