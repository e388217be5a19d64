// The contour-stack solid: its one inside test (half-open slabs) and the signed distance to its surface,
// against closed forms for stacks of circles (a cylinder, a stepped cylinder, a sphere).
#include "sbrtkit/stack_distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "sbrtkit/contour_stack.h"

namespace sbrtkit {
namespace {

// Circles are 720-gons with the circle's radius at the vertices: the polygon lies inside the circle by at
// most R (1 - cos(pi / 720)) = 9.5e-5 mm for R = 10, so distances to the polygonal solid match the
// circular closed forms within 1e-4 mm.
constexpr int kVertices = 720;
constexpr double kPolygonTolMm = 1e-4;

Contour circle(double radius_mm, double z_mm) {
  Contour c;
  for (int n = 0; n < kVertices; ++n) {
    const double a = 2 * std::numbers::pi * n / kVertices;
    c.points.push_back({radius_mm * std::cos(a), radius_mm * std::sin(a), z_mm});
  }
  return c;
}

/// Planes at z = 1, 3, ..., 2 n - 1 (2 mm apart) with half end caps: the solid spans z in [0, 2 n].
ContourStack stack_of(const std::vector<double>& radii_mm) {
  Structure s;
  s.name = "STACK";
  for (std::size_t k = 0; k < radii_mm.size(); ++k) s.contours.push_back(circle(radii_mm[k], 1.0 + 2.0 * double(k)));
  auto stack = build_contour_stack(s, EndCap::half, 0);
  EXPECT_TRUE(stack);
  return *stack;
}

TEST(StackDistance, CylinderInsideOutsideAndBeyondTheEndCaps) {
  // Cylinder of radius 10 over z in [0, 20].
  const ContourStack stack = stack_of(std::vector<double>(10, 10.0));
  const StackDistance d(stack);
  // Inside: the nearer of the side (10 - r) and the caps (z, 20 - z).
  EXPECT_NEAR(d.signed_distance_mm({0, 0, 6}), -6, kPolygonTolMm);       // nearest cap z = 0
  EXPECT_NEAR(d.signed_distance_mm({5, 0, 10}), -5, kPolygonTolMm);      // nearest side
  EXPECT_NEAR(d.signed_distance_mm({0, 0, 19.5}), -0.5, kPolygonTolMm);  // just below the top cap
  EXPECT_NEAR(d.signed_distance_mm({0, -9, 10}), -1, kPolygonTolMm);
  // Outside: radially, beyond a cap on the axis, and beyond the rim (3-4-5 triangle).
  EXPECT_NEAR(d.signed_distance_mm({15, 0, 10}), 5, kPolygonTolMm);
  EXPECT_NEAR(d.signed_distance_mm({0, 0, 25}), 5, 1e-12);
  EXPECT_NEAR(d.signed_distance_mm({0, 0, -7}), 7, 1e-12);
  EXPECT_NEAR(d.signed_distance_mm({13, 0, 24}), 5, kPolygonTolMm);
  // Unsigned distance (what qa uses) agrees outside and is 0 inside.
  EXPECT_NEAR(d.distance_mm({13, 0, 24}), 5, kPolygonTolMm);
  EXPECT_EQ(d.distance_mm({5, 0, 10}), 0.0);
}

TEST(StackDistance, SlabBoundaryIsHalfOpen) {
  // Radius 10 on the planes z = 1, 3 (slabs [0, 2), [2, 4)), radius 5 on z = 5, 7 (slabs [4, 6), [6, 8)).
  const ContourStack stack = stack_of({10, 10, 5, 5});
  const StackDistance d(stack);
  // (7, 0, 4) lies on the face between the wide slab below and the narrow slab above. Half-open slabs
  // give it to the upper plane, where r = 7 > 5: outside, at distance 0 from the wide part.
  EXPECT_FALSE(stack.contains({7, 0, 4}));
  EXPECT_EQ(d.signed_distance_mm({7, 0, 4}), 0.0);
  // A hair below it is inside, a hair above outside, both that hair away from the face.
  EXPECT_TRUE(stack.contains({7, 0, 4 - 1e-6}));
  EXPECT_NEAR(d.signed_distance_mm({7, 0, 4 - 1e-6}), -1e-6, 1e-9);
  EXPECT_NEAR(d.signed_distance_mm({7, 0, 4 + 1e-6}), 1e-6, 1e-9);
  // The bottom face belongs to the solid, the top end cap's face does not.
  EXPECT_TRUE(stack.contains({0, 0, 0}));
  EXPECT_FALSE(stack.contains({0, 0, 8}));
  EXPECT_EQ(d.signed_distance_mm({0, 0, 8}), 0.0);
  // Inside the narrow part near the step: to the wide slab's outside region (r > 10 at z < 4) is farther
  // than to the narrow side: r = 3 at z = 5 -> 2 mm to r = 5.
  EXPECT_NEAR(d.signed_distance_mm({3, 0, 5}), -2, kPolygonTolMm);
  // Inside the wide part under the step, r = 7, z = 3: the region outside the narrow slab (r > 5,
  // z >= 4) is 1 mm above; the side r = 10 is 3 mm away.
  EXPECT_NEAR(d.signed_distance_mm({7, 0, 3}), -1, kPolygonTolMm);
}

TEST(StackDistance, SphereStackAgainstItsStaircaseClosedForm) {
  // Sphere of radius 10 about (0, 0, 10): planes z = 1 .. 19, circle radius sqrt(100 - (z - 10)^2).
  std::vector<double> radii;
  for (int k = 0; k < 10; ++k) {
    const double z = 1.0 + 2.0 * k - 10.0;
    radii.push_back(std::sqrt(100 - z * z));
  }
  const ContourStack stack = stack_of(radii);
  const StackDistance d(stack);
  // From the centre (z = 10.5, in the slab [10, 12) of the plane z = 11, radius sqrt(99)), the nearest
  // outside region is that of the top slab [18, 20), radius sqrt(19): dz = 7.5, in-plane sqrt(19)
  // (8.675 mm, against 9.5 to the top cap and 9.95 to the side in its own slab).
  EXPECT_NEAR(d.signed_distance_mm({0, 0, 10.5}), -std::hypot(7.5, std::sqrt(19.0)), kPolygonTolMm);
  // Far out along x at z = 10.5: the slab's own circle, 30 - sqrt(99) (the true sphere: 20 mm; the
  // staircase stands for the sphere within one slab's cap height).
  EXPECT_NEAR(d.signed_distance_mm({30, 0, 10.5}), 30 - std::sqrt(99.0), kPolygonTolMm);
  EXPECT_NEAR(d.signed_distance_mm({30, 0, 10.5}), 20, 0.06);
  // Above the top cap on the axis: the top slab ends at z = 20.
  EXPECT_NEAR(d.signed_distance_mm({0, 0, 26}), 6, 1e-12);
}

TEST(StackDistance, EmptyStackIsInfinitelyFar) {
  const StackDistance d(ContourStack{});
  EXPECT_TRUE(std::isinf(d.signed_distance_mm({0, 0, 0})));
  EXPECT_TRUE(std::isinf(d.distance_mm({0, 0, 0})));
}

}  // namespace
}  // namespace sbrtkit
