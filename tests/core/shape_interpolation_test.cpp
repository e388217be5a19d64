// Shape-based reconstruction between contour planes (DvhOptions::between_planes = shape, issue 15),
// against truths computed here from the geometry: a cone's frustum (concentric circles whose signed
// distances interpolate to exactly linear radii), a ring with a hole, and a branch (one circle into
// two) integrated by brute force from the circles' analytic signed distances, not sbrtkit's.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include "sbrtkit/dvh_engine.h"

namespace sbrtkit {
namespace {

constexpr double kPi = std::numbers::pi;

/// A circle as a 1440-gon scaled to the circle's area (area exact; radius off by < 1e-5 mm here).
Contour circle(double cx, double cy, double r, double z) {
  constexpr int n = 1440;
  const double scale = std::sqrt(2 * kPi / (n * std::sin(2 * kPi / n)));
  Contour c;
  for (int k = 0; k < n; ++k) {
    const double a = 2 * kPi * k / n;
    c.points.push_back({cx + scale * r * std::cos(a), cy + scale * r * std::sin(a), z});
  }
  return c;
}

/// A uniform 10 Gy dose grid 1 mm covering [-20, 20]^3.
DoseVolume uniform_dose() {
  ImageGeometry g({41, 41, 41}, PatientPoint{-20, -20, -20}, Vec3{1, 1, 1},
                  {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  DoseVolume dose(g);
  for (auto& d : dose.voxels) d = 10;
  return dose;
}

DvhOptions shape_options(EndCap cap = EndCap::none) {
  DvhOptions o;
  o.between_planes = BetweenPlanes::shape;
  o.end_cap = cap;
  return o;
}

double volume_mm3(const Structure& s, const DvhOptions& o) {
  auto r = compute_dvh(s, uniform_dose(), o);
  EXPECT_TRUE(r.has_value());
  return r ? 1000 * r->dvh.total_volume_cc() : NAN;
}

TEST(ShapeInterpolation, ConeBetweenPlanesIsItsFrustum) {
  // Radii 9, 6, 3 on planes 3 mm apart: linear interpolation of concentric circles' distances is a
  // circle of linearly varying radius, i.e. the cone's frustum, exact. The slab model (no caps) gives
  // pi (81 x 1.5 + 36 x 3 + 9 x 1.5) = 243 pi against the frustums' 234 pi: 3.8% over.
  Structure s;
  s.contours = {circle(0, 0, 9, -3), circle(0, 0, 6, 0), circle(0, 0, 3, 3)};
  const double frustum = kPi * 3 / 3 * (81 + 54 + 36) + kPi * 3 / 3 * (36 + 18 + 9);
  // Sampling is exact along rows and stratified across them: 0.1% is the sampler's budget.
  EXPECT_NEAR(volume_mm3(s, shape_options()), frustum, 1e-3 * frustum);
  DvhOptions slab;
  slab.end_cap = EndCap::none;
  EXPECT_GT(std::abs(volume_mm3(s, slab) - frustum), 0.03 * frustum);  // the staircase the shape mode removes
}

TEST(ShapeInterpolation, HolesFollowTheEvenOddRule) {
  // A ring (outer 8, hole 4) on two planes 2 mm apart: identical sections interpolate to themselves.
  Structure s;
  s.contours = {circle(0, 0, 8, 0), circle(0, 0, 4, 0), circle(0, 0, 8, 2), circle(0, 0, 4, 2)};
  const double truth = kPi * (64 - 16) * 2;
  EXPECT_NEAR(volume_mm3(s, shape_options()), truth, 1e-3 * truth);
  // With half-slice caps of 1 mm each side, identical sections keep the slab's cap (no shrink trend).
  EXPECT_NEAR(volume_mm3(s, shape_options(EndCap::half)), 2 * truth, 2e-3 * truth);
}

/// Brute-force volume of {(1 - t) d_a + t d_b <= 0} for circle sets, from the circles' analytic
/// signed distances (min over circles of |p - c| - r for disjoint circles), on a 0.05 mm lattice.
double brute_force_volume(const std::vector<std::array<double, 3>>& a, const std::vector<std::array<double, 3>>& b,
                          double gap, double half_width) {
  auto sd = [](const std::vector<std::array<double, 3>>& circles, double x, double y) {
    double d = 1e9;
    for (const auto& c : circles) d = std::min(d, std::hypot(x - c[0], y - c[1]) - c[2]);
    return d;
  };
  const double h = 0.05;
  const int n = int(std::lround(2 * half_width / h));
  const int layers = 200;
  double count = 0;
  for (int k = 0; k < layers; ++k) {
    const double t = (k + 0.5) / layers;
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double x = -half_width + (i + 0.5) * h, y = -half_width + (j + 0.5) * h;
        count += (1 - t) * sd(a, x, y) + t * sd(b, x, y) <= 0;
      }
  }
  return count * h * h * gap / layers;
}

TEST(ShapeInterpolation, OneContourBranchingIntoTwo) {
  // A circle R 7 on z = 0 becomes two circles r 3 at x = +-4 on z = 3: the distance field separates the
  // two lobes at t = 7/8 along the row y = 0 (f = |x| (1 - 2t) - 7 + 8t there), so the solid is one
  // piece below and two above. Truth: the same level set integrated by brute force.
  Structure s;
  s.contours = {circle(0, 0, 7, 0), circle(-4, 0, 3, 3), circle(4, 0, 3, 3)};
  const double truth = brute_force_volume({{0, 0, 7}}, {{-4, 0, 3}, {4, 0, 3}}, 3, 7.5);
  // Lattice integration: 0.05 mm cells on a ~250 mm perimeter-weighted boundary, ~0.2% of ~300 mm^3.
  EXPECT_NEAR(volume_mm3(s, shape_options()), truth, 3e-3 * truth);
}

TEST(ShapeInterpolation, SinglePlaneKeepsItsSlab) {
  Structure s;
  s.contours = {circle(0, 0, 5, 0)};
  DvhOptions o = shape_options(EndCap::half);
  o.single_plane_thickness_mm = 2;
  EXPECT_NEAR(volume_mm3(s, o), kPi * 25 * 2, 1e-3 * kPi * 25 * 2);
}

}  // namespace
}  // namespace sbrtkit
