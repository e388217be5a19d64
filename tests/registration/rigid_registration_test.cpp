// register_rigid on two synthetic CTs of one analytic body, the second rendered through a known rigid map:
// the result must be that map's inverse (moving -> fixed), not the map itself (fixed -> moving), to
// 0.3 degree and 0.5 mm. An inverted result would be off by twice the rotation and about twice the
// translation, which the test also checks is far outside the tolerance, so it cannot pass by accident.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "sbrtkit/registration.h"

namespace sbrtkit {
namespace {

/// An asymmetric body in HU around the patient origin: an elliptic soft-tissue cylinder in air, two lungs
/// of different size, a spine off the midline and a bone block on one side only, so that every rotation
/// and translation changes the image.
double body_hu(PatientPoint p) {
  const auto in_ellipsoid = [&](PatientPoint c, Vec3 r) {
    const double x = (p.x - c.x) / r.x, y = (p.y - c.y) / r.y, z = (p.z - c.z) / r.z;
    return x * x + y * y + z * z <= 1;
  };
  const double ex = p.x / 110, ey = p.y / 75;
  if (ex * ex + ey * ey > 1 || std::abs(p.z) > 70) return -1000;
  if (in_ellipsoid({-45, -10, 10}, {30, 35, 50})) return -800;  // right lung
  if (in_ellipsoid({50, -5, -5}, {25, 30, 40})) return -800;    // smaller left lung
  if (in_ellipsoid({8, 45, 0}, {14, 14, 80})) return 700;        // spine, posterior and off the midline
  if (std::abs(p.x - 80) < 10 && std::abs(p.y + 30) < 12 && std::abs(p.z - 30) < 15) return 1000;  // a block
  return 40;
}

/// The body sampled on a grid of 3 mm voxels with 3 x 3 x 3 sub-samples per voxel (partial volumes, so
/// that the images are smooth enough for sub-voxel registration), `frame_to_body` placing each voxel's
/// patient point in the body's own coordinates.
Volume<float> render(const RigidMap& frame_to_body) {
  const ImageGeometry g({88, 64, 56}, PatientPoint{-130.5, -94.5, -82.5}, Vec3{3, 3, 3},
                        {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  Volume<float> v(g, 0.f);
  for (std::int64_t n = 0; n < g.voxel_count(); ++n) {
    const VoxelIndex c = g.index_of(n);
    double sum = 0;
    for (int a = -1; a <= 1; ++a)
      for (int b = -1; b <= 1; ++b)
        for (int d = -1; d <= 1; ++d)
          sum += body_hu(frame_to_body.apply(
              g.to_patient(IndexPoint{double(c.i) + a / 3.0, double(c.j) + b / 3.0, double(c.k) + d / 3.0})));
    v.voxels[n] = float(sum / 27);
  }
  return v;
}

/// Rotation by angle_deg about a unit axis (Rodrigues), row-major.
std::array<double, 9> rotation(Vec3 axis, double angle_deg) {
  const Vec3 k = normalized(axis);
  const double a = angle_deg * std::numbers::pi / 180, c = std::cos(a), s = std::sin(a), t = 1 - c;
  return {t * k.x * k.x + c,       t * k.x * k.y - s * k.z, t * k.x * k.z + s * k.y,
          t * k.x * k.y + s * k.z, t * k.y * k.y + c,       t * k.y * k.z - s * k.x,
          t * k.x * k.z - s * k.y, t * k.y * k.z + s * k.x, t * k.z * k.z + c};
}

/// Largest displacement of map over points spread through the body (centre and the ends of its axes):
/// how far a map is from the identity where the images have content.
double largest_displacement_mm(const RigidMap& map) {
  double worst = 0;
  for (PatientPoint p : {PatientPoint{0, 0, 0}, PatientPoint{100, 0, 0}, PatientPoint{-100, 0, 0},
                         PatientPoint{0, 70, 0}, PatientPoint{0, -70, 0}, PatientPoint{0, 0, 60},
                         PatientPoint{0, 0, -60}})
    worst = std::max(worst, norm(map.apply(p) - p));
  return worst;
}

TEST(RigidRegistration, RecoversTheMovingToFixedMapOfAKnownTransform) {
  // Truth: the moving frame sees the body moved by fixed_to_moving: a point p of the fixed frame is at
  // fixed_to_moving(p) in the moving frame (4 degrees about a tilted axis, then (7, -4, 5) mm).
  RigidMap fixed_to_moving;
  fixed_to_moving.rotation = rotation({0.3, -0.2, 1.0}, 4.0);
  fixed_to_moving.translation_mm = {7, -4, 5};
  const RigidMap truth = fixed_to_moving.inverse();  // what register_rigid must return
  // The fixed image is the body itself; a voxel at moving point q shows the body at fixed_to_moving^-1(q).
  const Volume<float> fixed = render(RigidMap{});
  const Volume<float> moving = render(truth);

  // The hand-built truth is consistent: the object point at the fixed origin appears in the moving frame
  // at the translation.
  const PatientPoint seen = fixed_to_moving.apply(PatientPoint{0, 0, 0});
  EXPECT_NEAR(seen.x, 7, 1e-12);

  RigidRegistrationOptions o;
  o.min_spacing_mm = 3;
  auto r = register_rigid(fixed, moving, o);
  ASSERT_TRUE(r) << r.error().message();
  const RigidMap& got = r->moving_to_fixed;

  // Residual: got o fixed_to_moving is the identity when got is the truth's moving -> fixed map.
  const RigidMap residual = got.after(fixed_to_moving);
  EXPECT_LT(residual.angle_deg(), 0.3) << "rotation error";
  EXPECT_LT(norm(got.translation_mm - truth.translation_mm), 0.5)
      << "translation " << got.translation_mm.x << ", " << got.translation_mm.y << ", " << got.translation_mm.z
      << " vs " << truth.translation_mm.x << ", " << truth.translation_mm.y << ", " << truth.translation_mm.z;
  EXPECT_LT(largest_displacement_mm(residual), 0.5 + 100 * 0.3 * std::numbers::pi / 180);
  // Per rotation-matrix element: the rotation axis and sense, not only the angle (4 degrees either way
  // has the same trace).
  for (int e = 0; e < 9; ++e) EXPECT_NEAR(got.rotation[e], truth.rotation[e], 0.3 * std::numbers::pi / 180) << e;

  // The inverted answer (fixed -> moving) is far from the truth: 8 degrees of residual rotation and twice
  // the translation, so the checks above cannot pass with the direction wrong.
  const RigidMap inverted_residual = fixed_to_moving.after(fixed_to_moving);
  EXPECT_GT(inverted_residual.angle_deg(), 7.9);
  EXPECT_GT(norm(fixed_to_moving.translation_mm - truth.translation_mm), 10 * 0.5);
  EXPECT_GT(norm(got.translation_mm - fixed_to_moving.translation_mm), 10 * 0.5);
}

TEST(RigidRegistration, IdenticalImagesGiveTheIdentity) {
  const Volume<float> fixed = render(RigidMap{});
  RigidRegistrationOptions o;
  o.min_spacing_mm = 3;
  auto r = register_rigid(fixed, fixed, o);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_LT(r->moving_to_fixed.angle_deg(), 0.3);
  EXPECT_LT(norm(r->moving_to_fixed.translation_mm), 0.5);
}

TEST(RigidRegistration, EmptyImagesAreRefused) {
  EXPECT_FALSE(register_rigid(Volume<float>{}, Volume<float>{}));
}

}  // namespace
}  // namespace sbrtkit
