// ImageGeometry: index <-> patient round trips on oblique and flipped grids, the flat-index inverse, and
// coordinate types that do not convert into each other.
#include "sbrtkit/geometry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

namespace sbrtkit {
namespace {

// The three coordinate kinds must never convert implicitly (a continuous index passed where a patient
// point is expected is the classic geometry bug): checked at compile time.
static_assert(!std::is_convertible_v<IndexPoint, PatientPoint>);
static_assert(!std::is_convertible_v<PatientPoint, IndexPoint>);
static_assert(!std::is_convertible_v<VoxelIndex, PatientPoint>);
static_assert(!std::is_convertible_v<VoxelIndex, IndexPoint>);
static_assert(!std::is_convertible_v<IndexPoint, VoxelIndex>);
static_assert(!std::is_convertible_v<PatientPoint, Vec3>);
static_assert(!std::is_convertible_v<Vec3, PatientPoint>);
static_assert(!std::is_convertible_v<Vec3, IndexPoint>);
static_assert(!std::is_convertible_v<IndexPoint, Vec3>);
static_assert(!std::is_convertible_v<Vec3, VoxelIndex>);
static_assert(!std::is_convertible_v<VoxelIndex, Vec3>);
static_assert(!std::is_convertible_v<PatientPoint, VoxelIndex>);
// Nor may one be built from another by an explicit constructor (a cast would hide the frame change).
static_assert(!std::is_constructible_v<PatientPoint, IndexPoint>);
static_assert(!std::is_constructible_v<IndexPoint, PatientPoint>);
static_assert(!std::is_constructible_v<VoxelIndex, IndexPoint>);
static_assert(!std::is_constructible_v<Vec3, PatientPoint>);

/// Rotation by angle about a unit axis (Rodrigues), applied to the patient axes: an oblique grid.
std::array<Vec3, 3> rotated_axes(Vec3 axis, double angle_rad) {
  const Vec3 k = normalized(axis);
  auto rotate = [&](Vec3 v) {
    return std::cos(angle_rad) * v + std::sin(angle_rad) * cross(k, v) + (1 - std::cos(angle_rad)) * dot(k, v) * k;
  };
  return {rotate({1, 0, 0}), rotate({0, 1, 0}), rotate({0, 0, 1})};
}

void expect_near(PatientPoint a, PatientPoint b, double tol) {
  EXPECT_NEAR(a.x, b.x, tol);
  EXPECT_NEAR(a.y, b.y, tol);
  EXPECT_NEAR(a.z, b.z, tol);
}

struct Case {
  const char* name;
  std::array<Vec3, 3> axes;
};

TEST(ImageGeometry, IndexPatientRoundTripsOnObliqueAndFlippedGrids) {
  const Case cases[] = {
      {"HFS", {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}},
      {"FFS (x and z flipped)", {Vec3{-1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, -1}}},
      {"HFP (x and y flipped)", {Vec3{-1, 0, 0}, Vec3{0, -1, 0}, Vec3{0, 0, 1}}},
      {"reversed slice order", {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, -1}}},
      {"decubitus", {Vec3{0, 1, 0}, Vec3{-1, 0, 0}, Vec3{0, 0, 1}}},
      {"oblique 23 deg about (1,2,3)", rotated_axes({1, 2, 3}, 23 * 3.14159265358979 / 180)},
  };
  const PatientPoint origin{-120.5, 33.25, 701};
  const Vec3 spacing{0.97, 1.5, 2.5};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const ImageGeometry g({7, 5, 4}, origin, spacing, c.axes);
    // Truth by hand: origin + i dx a0 + j dy a1 + k dz a2.
    const IndexPoint q{2.25, -0.5, 3.75};
    const PatientPoint expected = origin + (q.i * spacing.x * c.axes[0] + q.j * spacing.y * c.axes[1] +
                                            q.k * spacing.z * c.axes[2]);
    expect_near(g.to_patient(q), expected, 1e-9);
    const IndexPoint back = g.to_index(expected);
    EXPECT_NEAR(back.i, q.i, 1e-9);
    EXPECT_NEAR(back.j, q.j, 1e-9);
    EXPECT_NEAR(back.k, q.k, 1e-9);
    // Every voxel centre maps back to its own voxel.
    for (std::int64_t n = 0; n < g.voxel_count(); ++n) {
      const VoxelIndex v = g.index_of(n);
      EXPECT_EQ(g.nearest_voxel(g.to_patient(v)), v);
      EXPECT_TRUE(g.contains(g.to_patient(v)));
    }
    // Just outside the first voxel's cell (continuous index -0.5 - 1e-6) is outside the grid.
    EXPECT_FALSE(g.contains(g.to_patient(IndexPoint{-0.5 - 1e-6, 0, 0})));
    EXPECT_TRUE(g.contains(g.to_patient(IndexPoint{-0.5 + 1e-6, 0, 0})));
  }
}

TEST(ImageGeometry, FeetFirstGridWithDecreasingSlicePositions) {
  // A feet-first supine CT as a scanner writes it: ImageOrientationPatient -1\0\0\0\1\0 and slices whose
  // ImagePositionPatient z decreases by 3 mm (slice order k along -z). Voxel (0,0,0) at (250, -250, -100).
  // By hand: voxel (10, 20, 5) at x = 250 - 10 x 0.8 = 242, y = -250 + 20 x 0.8 = -234, z = -100 - 5 x 3 = -115.
  const ImageGeometry g({512, 512, 60}, PatientPoint{250, -250, -100}, Vec3{0.8, 0.8, 3},
                        {Vec3{-1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, -1}});
  expect_near(g.to_patient(VoxelIndex{10, 20, 5}), PatientPoint{242, -234, -115}, 1e-12);
  const IndexPoint back = g.to_index(PatientPoint{242, -234, -115});
  EXPECT_NEAR(back.i, 10, 1e-12);
  EXPECT_NEAR(back.j, 20, 1e-12);
  EXPECT_NEAR(back.k, 5, 1e-12);
  // A point 1.4 mm further toward the head (+z) is 1.4 / 3 of a slice back toward k = 0.
  EXPECT_NEAR(g.to_index(PatientPoint{242, -234, -113.6}).k, 5 - 1.4 / 3, 1e-12);
  EXPECT_EQ(g.nearest_voxel(PatientPoint{242.3, -234.3, -113.6}), (VoxelIndex{10, 20, 5}));
  EXPECT_EQ(g.nearest_voxel(PatientPoint{242, -234, -116.6}), (VoxelIndex{10, 20, 6}));
  // Steps: +i is -x, +k is -z; index_delta is their inverse.
  EXPECT_NEAR(g.step(0).x, -0.8, 1e-12);
  EXPECT_NEAR(g.step(2).z, -3, 1e-12);
  const IndexPoint d = g.index_delta(Vec3{1.6, 0, 6});
  EXPECT_NEAR(d.i, -2, 1e-12);
  EXPECT_NEAR(d.j, 0, 1e-12);
  EXPECT_NEAR(d.k, -2, 1e-12);
  // The grid covers z in [-100 - 59 x 3 - 1.5, -100 + 1.5] = [-278.5, -98.5].
  EXPECT_TRUE(g.contains(PatientPoint{0, 0, -98.6}));
  EXPECT_FALSE(g.contains(PatientPoint{0, 0, -98.4}));
  EXPECT_TRUE(g.contains(PatientPoint{0, 0, -278.4}));
  EXPECT_FALSE(g.contains(PatientPoint{0, 0, -278.6}));
}

TEST(ImageGeometry, ObliqueGridByHand) {
  // Rows along (cos 30, sin 30, 0), columns along (-sin 30, cos 30, 0), slices along +z; 2 x 1 x 5 mm.
  // Voxel (3, 4, 1): origin + 3 x 2 (0.8660, 0.5, 0) + 4 x 1 (-0.5, 0.8660, 0) + 1 x 5 (0, 0, 1)
  //                = (10 + 5.19615 - 2, 20 + 3 + 3.46410, 30 + 5) = (13.19615, 26.46410, 35).
  const double c = std::sqrt(3.0) / 2, s = 0.5;
  const ImageGeometry g({8, 8, 4}, PatientPoint{10, 20, 30}, Vec3{2, 1, 5}, {Vec3{c, s, 0}, Vec3{-s, c, 0}, Vec3{0, 0, 1}});
  expect_near(g.to_patient(VoxelIndex{3, 4, 1}), PatientPoint{10 + 6 * c - 2, 20 + 3 + 4 * c, 35}, 1e-12);
  const IndexPoint q = g.to_index(PatientPoint{10 + 6 * c - 2, 20 + 3 + 4 * c, 35});
  EXPECT_NEAR(q.i, 3, 1e-12);
  EXPECT_NEAR(q.j, 4, 1e-12);
  EXPECT_NEAR(q.k, 1, 1e-12);
  // A displacement of 2 mm along +x is 2 cos 30 / 2 = 0.866 along i and -2 sin 30 / 1 = -1 along j.
  const IndexPoint d = g.index_delta(Vec3{2, 0, 0});
  EXPECT_NEAR(d.i, c, 1e-12);
  EXPECT_NEAR(d.j, -1, 1e-12);
  EXPECT_NEAR(d.k, 0, 1e-12);
}

TEST(ImageGeometry, IndexOfInvertsLinearIndex) {
  const ImageGeometry g({4, 3, 5}, PatientPoint{}, Vec3{1, 1, 1}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  // By hand: n = i + 4 (j + 3 k); (2, 1, 3) -> 2 + 4 * (1 + 9) = 42.
  EXPECT_EQ(g.index_of(42), (VoxelIndex{2, 1, 3}));
  EXPECT_EQ(g.index_of(0), (VoxelIndex{0, 0, 0}));
  EXPECT_EQ(g.index_of(59), (VoxelIndex{3, 2, 4}));  // the last voxel, 4 * 3 * 5 - 1
  EXPECT_EQ(g.index_of(4), (VoxelIndex{0, 1, 0}));   // a row wrap
  EXPECT_EQ(g.index_of(12), (VoxelIndex{0, 0, 1}));  // a plane wrap
  for (std::int64_t n = 0; n < g.voxel_count(); ++n) EXPECT_EQ(g.linear_index(g.index_of(n)), n);
}

}  // namespace
}  // namespace sbrtkit
