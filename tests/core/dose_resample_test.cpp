// Resampling a course's dose into the reference frame, against closed forms: a linear dose field is
// reproduced exactly by trilinear interpolation (up to float storage), wherever the moved grid's voxel
// centres surround the target point; a 90-degree rotation about z sends a known voxel to a known voxel;
// outside the course's cells the dose is 0 and flagged; the result is bit-identical at 1 and 4 threads.
// The union grid is checked against corners worked out by hand.
#include "sbrtkit/dose_resample.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>

namespace sbrtkit {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// Rotation by angle about a unit axis (Rodrigues' formula), row-major.
std::array<double, 9> rotation(Vec3 axis, double angle_deg) {
  const Vec3 k = normalized(axis);
  const double t = angle_deg * kPi / 180, c = std::cos(t), s = std::sin(t), v = 1 - c;
  return {c + k.x * k.x * v,       k.x * k.y * v - k.z * s, k.x * k.z * v + k.y * s,
          k.y * k.x * v + k.z * s, c + k.y * k.y * v,       k.y * k.z * v - k.x * s,
          k.z * k.x * v - k.y * s, k.z * k.y * v + k.x * s, c + k.z * k.z * v};
}

Vec3 rotate(const std::array<double, 9>& r, Vec3 d) {
  return {r[0] * d.x + r[1] * d.y + r[2] * d.z, r[3] * d.x + r[4] * d.y + r[5] * d.z,
          r[6] * d.x + r[7] * d.y + r[8] * d.z};
}

// Dose field of the course, linear in the course's patient coordinates: D(q) = c0 + g . q.
constexpr double kC0 = 40.0;
const Vec3 kGradient{0.5, -0.25, 0.75};  // Gy/mm
double course_field(PatientPoint q) { return kC0 + kGradient.x * q.x + kGradient.y * q.y + kGradient.z * q.z; }

DoseVolume linear_course_dose() {
  // An oblique course grid (15 degrees about (1, 2, 3)), as a tilted couch or a non-axial export has.
  const auto r = rotation({1, 2, 3}, 15);
  const ImageGeometry g({20, 18, 14}, PatientPoint{-20, -15, -12}, Vec3{2.0, 2.5, 3.0},
                        {rotate(r, {1, 0, 0}), rotate(r, {0, 1, 0}), rotate(r, {0, 0, 1})});
  DoseVolume d(g);
  for (std::int64_t k = 0; k < 14; ++k)
    for (std::int64_t j = 0; j < 18; ++j)
      for (std::int64_t i = 0; i < 20; ++i) d.at(i, j, k) = float(course_field(g.to_patient(VoxelIndex{i, j, k})));
  return d;
}

TEST(DoseResample, LinearFieldMovedByRotationAndTranslationIsReproduced) {
  const DoseVolume course = linear_course_dose();
  RigidMap m;  // course -> reference: 25 degrees about (2, -1, 1), then (12, -7, 30) mm
  m.rotation = rotation({2, -1, 1}, 25);
  m.translation_mm = {12, -7, 30};
  // Reference grid: feet-first (x and z flipped), 3 mm, larger than the moved course so some voxels miss it.
  const ImageGeometry ref({40, 36, 34}, PatientPoint{70, -55, 95}, Vec3{3, 3, 3},
                          {Vec3{-1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, -1}});
  const ResampledDose r = resample_dose(course, m, ref);
  // Truth in the reference frame: q = R^T (p - t), so D = c0 + (R g) . (p - t), with the forward rotation.
  // g . (R^T u) = (R g) . u: the gradient seen in the reference frame is R g.
  const Vec3 rg = rotate(m.rotation, kGradient);
  // Float storage of the course samples rounds each to 2^-24 relative (doses below 128 Gy here).
  const double tol = 128.0 * std::ldexp(1.0, -23);
  std::int64_t inside_hull = 0, outside_cells = 0, rim = 0;
  for (std::int64_t k = 0; k < 34; ++k)
    for (std::int64_t j = 0; j < 36; ++j)
      for (std::int64_t i = 0; i < 40; ++i) {
        const PatientPoint p = ref.to_patient(VoxelIndex{i, j, k});
        const Vec3 d = p - PatientPoint{m.translation_mm.x, m.translation_mm.y, m.translation_mm.z};
        // Course index of p, from the forward map only: q = R^T (p - t) via dot products with R's columns.
        const Vec3 q{m.rotation[0] * d.x + m.rotation[3] * d.y + m.rotation[6] * d.z,
                     m.rotation[1] * d.x + m.rotation[4] * d.y + m.rotation[7] * d.z,
                     m.rotation[2] * d.x + m.rotation[5] * d.y + m.rotation[8] * d.z};
        const IndexPoint c = course.geometry.to_index(PatientPoint{q.x, q.y, q.z});
        const auto n = course.geometry.size();
        const double e = 1e-9;
        const bool in_hull = c.i >= e && c.j >= e && c.k >= e && c.i <= double(n[0] - 1) - e &&
                             c.j <= double(n[1] - 1) - e && c.k <= double(n[2] - 1) - e;
        const bool out_cells = c.i < -0.5 - e || c.j < -0.5 - e || c.k < -0.5 - e || c.i > double(n[0]) - 0.5 + e ||
                               c.j > double(n[1]) - 0.5 + e || c.k > double(n[2]) - 0.5 + e;
        const float got = r.dose_gy.at(i, j, k);
        if (in_hull) {
          ++inside_hull;
          const double truth = kC0 + dot(rg, d);
          ASSERT_NEAR(got, truth, tol) << i << "," << j << "," << k;
          ASSERT_EQ(r.covered.at(i, j, k), 1);
        } else if (out_cells) {
          ++outside_cells;
          ASSERT_EQ(got, 0.0f);
          ASSERT_EQ(r.covered.at(i, j, k), 0);
        } else {
          ++rim;  // outer half-voxel: covered, value extended from the last centre (not linear)
        }
      }
  // The test means something only if it saw all three kinds of voxel.
  EXPECT_GT(inside_hull, 1000);
  EXPECT_GT(outside_cells, 1000);
  EXPECT_GT(rim, 0);
  EXPECT_EQ(r.covered_voxels + r.uncovered_voxels, ref.voxel_count());
  EXPECT_GE(r.uncovered_voxels, outside_cells);
  EXPECT_LE(r.uncovered_voxels, outside_cells + rim);
}

TEST(DoseResample, QuarterTurnAboutZMapsKnownVoxelToKnownVoxel) {
  // Course grid 4 x 3 x 2, 1 mm, at the origin; dose = i + 10 j + 100 k (distinct per voxel).
  const ImageGeometry cg({4, 3, 2}, PatientPoint{0, 0, 0}, Vec3{1, 1, 1}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  DoseVolume course(cg);
  for (std::int64_t k = 0; k < 2; ++k)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t i = 0; i < 4; ++i) course.at(i, j, k) = float(i + 10 * j + 100 * k);
  // (x, y, z) -> (-y + 100, x, z): exact integers, so the mapping has no rounding.
  RigidMap m;
  m.rotation = {0, -1, 0, 1, 0, 0, 0, 0, 1};
  m.translation_mm = {100, 0, 0};
  // By hand: course voxel (i, j, k) at (i, j, k) lands at (100 - j, i, k). A reference grid at (98, 0, 0),
  // 3 x 4 x 2: reference voxel (a, b, c) at (98 + a, b, c) holds course voxel (b, 2 - a, c).
  const ImageGeometry ref({3, 4, 2}, PatientPoint{98, 0, 0}, Vec3{1, 1, 1}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  const ResampledDose r = resample_dose(course, m, ref);
  // Course voxel (3, 1, 1) = 113 goes to reference voxel (1, 3, 1).
  EXPECT_EQ(r.dose_gy.at(1, 3, 1), 113.0f);
  for (std::int64_t c = 0; c < 2; ++c)
    for (std::int64_t b = 0; b < 4; ++b)
      for (std::int64_t a = 0; a < 3; ++a) EXPECT_EQ(r.dose_gy.at(a, b, c), course.at(b, 2 - a, c)) << a << b << c;
  EXPECT_EQ(r.covered_voxels, 24);
  EXPECT_EQ(r.uncovered_voxels, 0);

  // One voxel further in -x (reference x = 97 -> course j = 3) is outside the course's cells (j <= 2.5).
  const ImageGeometry wider({4, 4, 2}, PatientPoint{97, 0, 0}, Vec3{1, 1, 1},
                            {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  const ResampledDose w = resample_dose(course, m, wider);
  EXPECT_EQ(w.uncovered_voxels, 8);  // the a = 0 column: 4 x 2 voxels
  for (std::int64_t c = 0; c < 2; ++c)
    for (std::int64_t b = 0; b < 4; ++b) {
      EXPECT_EQ(w.dose_gy.at(0, b, c), 0.0f);
      EXPECT_EQ(w.covered.at(0, b, c), 0);
      EXPECT_EQ(w.dose_gy.at(1, b, c), course.at(b, 2, c));
    }
}

TEST(DoseResample, SameGridAndIdentityMapIsTheDoseItself) {
  const DoseVolume course = linear_course_dose();
  const ResampledDose r = resample_dose(course, RigidMap{}, course.geometry);
  ASSERT_EQ(r.dose_gy.voxels.size(), course.voxels.size());
  // Interpolation weights are exactly 0 at voxel centres: every value comes back bit for bit.
  EXPECT_EQ(std::memcmp(r.dose_gy.voxels.data(), course.voxels.data(), course.voxels.size() * sizeof(float)), 0);
  EXPECT_EQ(r.uncovered_voxels, 0);
}

TEST(DoseResample, BitIdenticalAtOneAndFourThreads) {
  const DoseVolume course = linear_course_dose();
  RigidMap m;
  m.rotation = rotation({0.3, 1, -0.2}, 11);
  m.translation_mm = {3.3, -1.7, 4.1};
  const ImageGeometry ref({37, 29, 23}, PatientPoint{-40, -35, -30}, Vec3{2.5, 2.5, 2.5},
                          {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const ResampledDose one = resample_dose(course, m, ref);
  omp_set_num_threads(4);
  const ResampledDose four = resample_dose(course, m, ref);
  omp_set_num_threads(saved);
  ASSERT_EQ(one.dose_gy.voxels.size(), four.dose_gy.voxels.size());
  EXPECT_EQ(std::memcmp(one.dose_gy.voxels.data(), four.dose_gy.voxels.data(), one.dose_gy.voxels.size() * sizeof(float)),
            0);
  EXPECT_EQ(one.covered.voxels, four.covered.voxels);
  EXPECT_EQ(one.covered_voxels, four.covered_voxels);
  EXPECT_GT(one.covered_voxels, 0);
  EXPECT_GT(one.uncovered_voxels, 0);
}

TEST(DoseUnionGrid, ReferenceAloneGivesItsOwnGrid) {
  const ImageGeometry ref({10, 8, 6}, PatientPoint{-5, 3, 100}, Vec3{2, 2, 3}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, -1}});
  auto u = union_dose_grid(ref, {{ref, RigidMap{}}});
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_TRUE(u->same_grid(ref, 1e-9));
}

TEST(DoseUnionGrid, CoversShiftedAndRotatedCoursesOnTheReferenceLattice) {
  // Reference dose grid: 10 x 10 x 10, 2 mm, origin 0: cells cover [-1, 19] mm on each axis.
  const ImageGeometry ref({10, 10, 10}, PatientPoint{0, 0, 0}, Vec3{2, 2, 2}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  // Course 2: same grid shifted by +7 mm in x: cells cover [6, 26] in x. Union in x: [-1, 26] -> centres
  // 0 .. 26 rounded up to the lattice: the last cell must reach 26, centre 26 (cell [25, 27]) -> 14 voxels.
  RigidMap shift;
  shift.translation_mm = {7, 0, 0};
  // Course 3: a 4 x 2 x 1 grid of 1 mm at (0, 0, 0), turned 90 degrees about z and moved to (-10, 0, 0):
  // its cells [-0.5, 3.5] x [-0.5, 1.5] x [-0.5, 0.5] land on x in [-11.5, -9.5], y in [-0.5, 3.5].
  // x from -11.5: the first centre whose cell reaches it is -12 (cell [-13, -11]): 6 voxels before 0.
  const ImageGeometry small({4, 2, 1}, PatientPoint{0, 0, 0}, Vec3{1, 1, 1}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  RigidMap turn;
  turn.rotation = {0, -1, 0, 1, 0, 0, 0, 0, 1};
  turn.translation_mm = {-10, 0, 0};
  auto u = union_dose_grid(ref, {{ref, RigidMap{}}, {ref, shift}, {small, turn}});
  ASSERT_TRUE(u) << u.error().message();
  EXPECT_EQ(u->size()[0], 6 + 14);  // centres -12 .. 26 mm
  EXPECT_EQ(u->size()[1], 10);      // course 3 stays inside y [-1, 19]
  EXPECT_EQ(u->size()[2], 10);
  EXPECT_DOUBLE_EQ(u->origin().x, -12);
  EXPECT_DOUBLE_EQ(u->origin().y, 0);
  EXPECT_DOUBLE_EQ(u->spacing_mm().x, 2);
}

TEST(DoseUnionGrid, BadInputIsAnError) {
  const ImageGeometry ref({10, 10, 10}, PatientPoint{0, 0, 0}, Vec3{2, 2, 2}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  EXPECT_FALSE(union_dose_grid(ref, {}));
  EXPECT_FALSE(union_dose_grid(ref, {{ImageGeometry{}, RigidMap{}}}));
  RigidMap bad;
  bad.translation_mm.x = std::nan("");
  auto e = union_dose_grid(ref, {{ref, bad}});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("to_reference"), std::string::npos);
  RigidMap far;
  far.translation_mm = {1e7, 0, 0};  // a broken registration: 5 million voxels along x
  auto huge = union_dose_grid(ref, {{ref, RigidMap{}}, {ref, far}});
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().message().find("registrations"), std::string::npos);
}

}  // namespace
}  // namespace sbrtkit
