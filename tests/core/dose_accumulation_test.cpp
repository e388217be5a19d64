// Voxel-wise accumulation against hand values of EQD2 = D (D/n + a/b) / (2 + a/b):
//   24 Gy / 3 fx at a/b 2: 24 (8 + 2) / 4 = 60;  27 Gy / 3 fx at a/b 2: 27 (9 + 2) / 4 = 74.25; sum 134.25
//   30 Gy / 3 fx: a/b 2 -> 30 (10 + 2) / 4 = 90; a/b 3 -> 78; a/b 10 -> 30 (10 + 10) / 12 = 50
//   8 Gy / 1 fx at a/b 2: 8 (8 + 2) / 4 = 20
// a course missing a region (0 there, coverage count says so), recovery of earlier courses, bad input.
#include "sbrtkit/dose_accumulation.h"

#include <gtest/gtest.h>

#include "sbrtkit/alpha_beta.h"
#include "sbrtkit/radiobiology.h"

namespace sbrtkit {
namespace {

const ImageGeometry kGrid({4, 2, 1}, PatientPoint{0, 0, 0}, Vec3{2, 2, 2.5},
                          {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});

CourseOnGrid uniform(std::string label, float gy, int fractions) {
  CourseOnGrid c;
  c.label = std::move(label);
  c.dose_gy = DoseVolume(kGrid, gy);
  c.covered = Volume<std::uint8_t>(kGrid, 1);
  c.fractions = fractions;
  return c;
}

// EQD2 sums of ~100 Gy stored as float: 2^-24 relative.
constexpr double kTol = 1e-5;

TEST(DoseAccumulation, UniformCoursesMatchHandEqd2) {
  const Volume<float> ab(kGrid, 2.0f);
  auto acc = accumulate_dose({uniform("c1", 24, 3), uniform("c2", 27, 3)}, ab);
  ASSERT_TRUE(acc) << acc.error().message();
  for (std::size_t v = 0; v < acc->eqd2_gy.voxels.size(); ++v) {
    EXPECT_NEAR(acc->eqd2_gy.voxels[v], 134.25, kTol);
    EXPECT_NEAR(acc->physical_gy.voxels[v], 51.0, kTol);
    EXPECT_EQ(acc->courses_covering.voxels[v], 2);
  }
  // The same numbers from the scalar function radiobiology.h tests against its own closed forms.
  EXPECT_NEAR(*eqd2_gy(24, 3, 2) + *eqd2_gy(27, 3, 2), 134.25, 1e-12);
  EXPECT_EQ(acc->uncovered_voxels, (std::vector<std::int64_t>{0, 0}));
  EXPECT_FALSE(acc->notes.empty());
}

TEST(DoseAccumulation, OverlappingStructuresUseTheSmallestAlphaBeta) {
  // Voxels 0..3 along i (j = 0): elsewhere, cord only, cord and PTV, PTV only.
  LesionVoxels cord{{1, 2}, {1.0f, 1.0f}}, ptv{{2, 3}, {1.0f, 1.0f}};
  auto ab = min_value_map(kGrid, {{&ptv, 10.0}, {&cord, 2.0}}, 3.0);
  ASSERT_TRUE(ab);
  auto acc = accumulate_dose({uniform("c1", 30, 3)}, *ab);
  ASSERT_TRUE(acc) << acc.error().message();
  EXPECT_NEAR(acc->eqd2_gy.at(0, 0, 0), 78.0, kTol);  // a/b 3
  EXPECT_NEAR(acc->eqd2_gy.at(1, 0, 0), 90.0, kTol);  // a/b 2
  EXPECT_NEAR(acc->eqd2_gy.at(2, 0, 0), 90.0, kTol);  // overlap: 2 wins over 10
  EXPECT_NEAR(acc->eqd2_gy.at(3, 0, 0), 50.0, kTol);  // a/b 10
}

TEST(DoseAccumulation, CourseMissingARegionContributesNothingThereAndCoverageSaysSo) {
  // Course 2's own grid covered only i <= 1; resample_dose left 0 Gy and covered = 0 at i >= 2.
  CourseOnGrid c2 = uniform("c2", 27, 3);
  for (std::int64_t j = 0; j < 2; ++j)
    for (std::int64_t i = 2; i < 4; ++i) {
      c2.dose_gy.at(i, j, 0) = 0;
      c2.covered.at(i, j, 0) = 0;
    }
  const Volume<float> ab(kGrid, 2.0f);
  auto acc = accumulate_dose({uniform("c1", 24, 3), c2}, ab);
  ASSERT_TRUE(acc);
  EXPECT_NEAR(acc->eqd2_gy.at(0, 1, 0), 134.25, kTol);
  EXPECT_NEAR(acc->eqd2_gy.at(3, 1, 0), 60.0, kTol);  // course 1 alone
  EXPECT_NEAR(acc->physical_gy.at(3, 1, 0), 24.0, kTol);
  EXPECT_EQ(acc->courses_covering.at(0, 0, 0), 2);
  EXPECT_EQ(acc->courses_covering.at(3, 0, 0), 1);
  EXPECT_EQ(acc->uncovered_voxels, (std::vector<std::int64_t>{0, 4}));
  // A structure over voxels (1,0) full, (2,0) half and (3,1) full: 1.5 voxels outside course 2's grid,
  // 1.5 x 10 mm^3 = 15 mm^3; course 1 covers all of it.
  const LesionVoxels s{{1, 2, 7}, {1.0f, 0.5f, 1.0f}};
  EXPECT_DOUBLE_EQ(uncovered_volume_mm3(s, c2.covered), 15.0);
  EXPECT_DOUBLE_EQ(uncovered_volume_mm3(s, uniform("c1", 24, 3).covered), 0.0);
}

TEST(DoseAccumulation, RecoveryReducesEarlierCoursesOnly) {
  const Volume<float> ab(kGrid, 2.0f);
  Volume<float> recovery(kGrid, 0.0f);
  recovery.at(0, 0, 0) = 0.5f;
  recovery.at(1, 0, 0) = 0.25f;
  auto two = accumulate_dose({uniform("c1", 24, 3), uniform("c2", 27, 3)}, ab, &recovery);
  ASSERT_TRUE(two);
  EXPECT_NEAR(two->eqd2_gy.at(0, 0, 0), 0.5 * 60 + 74.25, kTol);  // 104.25
  EXPECT_NEAR(two->eqd2_gy.at(2, 0, 0), 134.25, kTol);            // r = 0
  EXPECT_NEAR(two->physical_gy.at(0, 0, 0), 51.0, kTol);          // physical never reduced
  // Three courses: the first two are earlier, the 8 Gy / 1 fx (20 Gy EQD2) last one is not reduced.
  auto three = accumulate_dose({uniform("c1", 24, 3), uniform("c2", 27, 3), uniform("c3", 8, 1)}, ab, &recovery);
  ASSERT_TRUE(three);
  EXPECT_NEAR(three->eqd2_gy.at(1, 0, 0), 0.75 * (60 + 74.25) + 20, kTol);  // 120.6875
}

TEST(DoseAccumulation, BadInputNamesTheCourse) {
  const Volume<float> ab(kGrid, 2.0f);
  EXPECT_FALSE(accumulate_dose({}, ab));
  auto zero_fx = accumulate_dose({uniform("c1", 24, 3), uniform("plan-2", 27, 0)}, ab);
  ASSERT_FALSE(zero_fx);
  EXPECT_NE(zero_fx.error().message().find("courses[1] (plan-2).fractions"), std::string::npos)
      << zero_fx.error().message();
  CourseOnGrid negative = uniform("c1", 24, 3);
  negative.dose_gy.voxels[3] = -1;
  EXPECT_FALSE(accumulate_dose({negative}, ab));
  CourseOnGrid other = uniform("c2", 27, 3);
  other.dose_gy.geometry = ImageGeometry({4, 2, 1}, PatientPoint{1, 0, 0}, Vec3{2, 2, 2.5},
                                         {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  auto moved = accumulate_dose({uniform("c1", 24, 3), other}, ab);
  ASSERT_FALSE(moved);
  EXPECT_NE(moved.error().message().find("another grid"), std::string::npos);
  EXPECT_FALSE(accumulate_dose({uniform("c1", 24, 3)}, Volume<float>(kGrid, 0.0f)));
  Volume<float> too_much(kGrid, 1.5f);
  const Volume<float> good_ab(kGrid, 2.0f);
  auto r = accumulate_dose({uniform("c1", 24, 3)}, good_ab, &too_much);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("recovery_fraction"), std::string::npos);
}

}  // namespace
}  // namespace sbrtkit
