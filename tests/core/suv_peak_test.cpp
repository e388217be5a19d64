// SUVpeak of a 1 cc sphere placed on a coarse 10 mm grid, computed by hand from the sphere's closed-form
// partial volumes. With 10 mm voxels (1 cc each) a sphere of 1 cc (r = 6.2035 mm) centred on a voxel
// centre stays inside its own voxel except for six spherical caps of height h = r - 5 mm = 1.2035 mm that
// poke into the face neighbours (an edge neighbour starts at 5 sqrt(2) = 7.07 mm > r, so it gets nothing).
//   cap volume  V = pi h^2 (3r - h) / 3 = 26.403 mm^3   -> face weight 0.026403 of a voxel
//   centre      1000 - 6 V = 841.58 mm^3                -> centre weight 0.84158
// The kernel sub-samples each voxel 10 x 10 x 10 (1 mm lattice): it counts 824/1000 for the centre and
// 24/1000 per cap (lattice counts, see make_peak_kernel); the tolerances below bound that difference.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "sbrtkit/lesion.h"

namespace sbrtkit {
namespace {

constexpr double kRadius = 6.203504908994;  // (3 x 1000 / (4 pi))^(1/3) mm
const double kCap = std::numbers::pi * (kRadius - 5) * (kRadius - 5) * (3 * kRadius - (kRadius - 5)) / 3;
const double kFaceWeight = kCap / 1000;
const double kCentreWeight = (1000 - 6 * kCap) / 1000;
constexpr double kTol = 0.2;  // lattice sub-sampling of the caps, see SphereOnAHotVoxelWithOneHotNeighbour

Volume<float> coarse_pet(float background) {
  return Volume<float>(ImageGeometry({9, 9, 9}, PatientPoint{-40, -40, -40}, Vec3{10, 10, 10},
                                     {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}),
                       background);
}

TEST(SuvPeakHand, ClosedFormWeightsSumToOneVoxel) {
  // The hand weights themselves: 1 cc sphere, 1 cc voxel.
  EXPECT_NEAR(kCentreWeight + 6 * kFaceWeight, 1.0, 1e-12);
  EXPECT_NEAR(kCap, 26.4027, 1e-3);
  const PeakKernel k = make_peak_kernel(coarse_pet(0).geometry);
  EXPECT_EQ(k.weight.size(), 7u);  // the centre and its six face neighbours, nothing else
  double sum = 0;
  for (std::size_t t = 0; t < k.weight.size(); ++t) {
    const auto taxi = std::abs(k.di[t]) + std::abs(k.dj[t]) + std::abs(k.dk[t]);
    ASSERT_LE(taxi, 1);
    // Lattice counting: 824 vs 841.6 at the centre (2.1%), 24 vs 26.4 per cap (9%, a 1.2 mm cap holds few
    // lattice points): 0.02 and 0.003 bound them.
    EXPECT_NEAR(k.weight[t], taxi == 0 ? kCentreWeight : kFaceWeight, taxi == 0 ? 0.02 : 0.003);
    sum += k.weight[t];
  }
  EXPECT_NEAR(sum, 1.0, 0.04);
}

TEST(SuvPeakHand, SphereOnAHotVoxelWithOneHotNeighbour) {
  // Background 1, the centre voxel (4,4,4) 10, its +i neighbour 20. By hand, with the closed-form weights:
  //   sphere on (4,4,4): 0.84158 x 10 + 0.026403 x 20 + 5 x 0.026403 x 1 = 9.0759
  //   sphere on (5,4,4): 0.84158 x 20 + 0.026403 x 10 + 5 x 0.026403 x 1 = 17.2277   <- the peak
  //   sphere on (3,4,4): 0.84158 x 1 + 0.026403 x 10 + 5 x 0.026403 x 1 = 1.2376
  // With the lattice weights (824 and 24 per 1000, divided by their sum 0.968) the same sums are 9.132,
  // 17.397 and 1.223: the sub-sampling of a 1.2 mm cap on a 1 mm lattice moves them by up to 0.17, so
  // kTol = 0.2 (a wrong tap, e.g. the hot neighbour left out, moves the first by 0.5).
  Volume<float> suv = coarse_pet(1.f);
  suv.at(4, 4, 4) = 10.f;
  suv.at(5, 4, 4) = 20.f;
  const PeakKernel kernel = make_peak_kernel(suv.geometry);
  const auto& g = suv.geometry;
  const auto at = [&](std::int64_t i) { return g.linear_index({i, 4, 4}); };
  const double on_centre = kCentreWeight * 10 + kFaceWeight * 20 + 5 * kFaceWeight;
  const double on_hot = kCentreWeight * 20 + kFaceWeight * 10 + 5 * kFaceWeight;
  const double on_left = kCentreWeight * 1 + kFaceWeight * 10 + 5 * kFaceWeight;
  EXPECT_NEAR(suv_peak(suv, {at(4)}, kernel).suv, on_centre, kTol);
  EXPECT_NEAR(suv_peak(suv, {at(3)}, kernel).suv, on_left, kTol);
  const SuvPeak p = suv_peak(suv, {at(3), at(4), at(5)}, kernel);
  EXPECT_NEAR(p.suv, on_hot, kTol);
  EXPECT_EQ(p.centre, (VoxelIndex{5, 4, 4}));
  // The peak never exceeds SUVmax and exceeds the mean of any other candidate here.
  EXPECT_LT(p.suv, 20.0);
}

TEST(SuvPeakHand, SphereAtTheImageEdgeAveragesOnlyVoxelsInside) {
  // Centre voxel (0,4,4) = 10 with background 1: the cap at i = -1 lies outside the image and is left out
  // of the mean: (0.84158 x 10 + 5 x 0.026403 x 1) / (0.84158 + 5 x 0.026403) = 8.780 (lattice: 8.856).
  Volume<float> suv = coarse_pet(1.f);
  suv.at(0, 4, 4) = 10.f;
  const PeakKernel kernel = make_peak_kernel(suv.geometry);
  const double expected = (kCentreWeight * 10 + 5 * kFaceWeight) / (kCentreWeight + 5 * kFaceWeight);
  const SuvPeak p = suv_peak(suv, {suv.geometry.linear_index({0, 4, 4})}, kernel);
  EXPECT_NEAR(p.suv, expected, kTol);
  // In a corner three caps are outside: (0.84158 x 10 + 3 x 0.026403) / (0.84158 + 3 x 0.026403) = 9.226 (lattice: 9.277).
  suv.at(0, 0, 0) = 10.f;
  const double corner = (kCentreWeight * 10 + 3 * kFaceWeight) / (kCentreWeight + 3 * kFaceWeight);
  EXPECT_NEAR(suv_peak(suv, {0}, kernel).suv, corner, kTol);
}

TEST(SuvPeakHand, TiesGoToTheLowerIndexAndNoCandidatesGiveZero) {
  Volume<float> suv = coarse_pet(2.f);  // uniform: every sphere means exactly 2
  const PeakKernel kernel = make_peak_kernel(suv.geometry);
  const SuvPeak p = suv_peak(suv, {200, 100, 300}, kernel);
  EXPECT_NEAR(p.suv, 2.0, 1e-6);
  EXPECT_EQ(p.centre, suv.geometry.index_of(100));
  EXPECT_EQ(suv_peak(suv, {}, kernel).suv, 0.0);
}

}  // namespace
}  // namespace sbrtkit
