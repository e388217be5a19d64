// The lesion (voxel region) DVH through the DVH engine, and a structure's occupancy on a grid, against
// closed forms.
#include <gtest/gtest.h>

#include <cmath>

#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/structure_occupancy.h"
#include "sbrtkit/structure_samples.h"

namespace sbrtkit {
namespace {

const std::array<Vec3, 3> kAxes{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};

/// Dose 30 Gy + 0.5 Gy/mm along x on a 2.5 mm grid covering [-60, 60] mm.
DoseVolume linear_dose(double centre_x) {
  DoseVolume d(ImageGeometry({49, 49, 49}, PatientPoint{-60, -60, -60}, Vec3{2.5, 2.5, 2.5}, kAxes), 0.f);
  for (std::int64_t n = 0; n < d.geometry.voxel_count(); ++n) {
    const PatientPoint p = d.geometry.to_patient(d.geometry.index_of(n));
    d.voxels[std::size_t(n)] = float(30.0 + 0.5 * (p.x - centre_x));
  }
  return d;
}

TEST(RegionDvh, VoxelSphereInALinearFieldHasMeanAndMedianAtItsCentre) {
  // A 4 mm PET-like grid; the region is every voxel whose centre lies within 10 mm of voxel (8, 8, 8).
  const ImageGeometry pet({17, 17, 17}, PatientPoint{0, 0, 0}, Vec3{4, 4, 4}, kAxes);
  LesionVoxels region;
  for (std::int64_t n = 0; n < pet.voxel_count(); ++n) {
    const VoxelIndex v = pet.index_of(n);
    const double di = double(v.i - 8), dj = double(v.j - 8), dk = double(v.k - 8);
    if (16 * (di * di + dj * dj + dk * dk) <= 100) {
      region.index.push_back(n);
      region.weight.push_back(1.f);
    }
  }
  // The PET frame is the planning frame rotated 90 degrees about z and shifted: grid (x, y, z) ->
  // (-y + 5, x - 40, z - 32). The region's centre (32, 32, 32) lands at (-27, -8, 0).
  RigidMap to_dose;
  to_dose.rotation = {0, -1, 0, 1, 0, 0, 0, 0, 1};
  to_dose.translation_mm = {5, -40, -32};
  const PatientPoint centre = to_dose.apply(pet.to_patient(VoxelIndex{8, 8, 8}));
  ASSERT_NEAR(centre.x, -27, 1e-12);
  const DoseVolume dose = linear_dose(centre.x);
  auto dvh = compute_region_dvh(pet, region, to_dose, DoseField(dose));
  ASSERT_TRUE(dvh);
  // The voxel set is point-symmetric about its centre and the field is linear (trilinear interpolation
  // reproduces it exactly), so the mean and the median are the centre's dose, 30 Gy. Volume: the voxels'.
  EXPECT_NEAR(dvh->dvh.mean_gy(), 30.0, 1e-4);
  // The samples sit on a lattice of step <= cbrt(5.184 cc / 400000) = 0.235 mm, symmetric about the centre
  // and none on it: the median falls between the two sample doses nearest 30 Gy, within half a step
  // (0.12 mm x 0.5 Gy/mm = 0.06 Gy) plus one 1 mGy bin.
  EXPECT_NEAR(*dvh->dvh.dose_at_volume_cc(0.5 * dvh->dvh.covered_volume_cc()), 30.0, 0.061);
  // Volumes are summed as 2^-32 mm^3 integers: ~400000 samples x 2^-33 mm^3 = 5e-5 mm^3 of rounding.
  EXPECT_NEAR(dvh->dvh.covered_volume_cc(), double(region.index.size()) * 64 / 1000, 1e-7);
  EXPECT_EQ(dvh->dvh.outside_volume_cc(), 0.0);
  EXPECT_NEAR(dvh->centroid.x, centre.x, 1e-6);
  EXPECT_NEAR(dvh->centroid.y, centre.y, 1e-6);
  // An inverted map would put the region elsewhere: its mean would not be 30 Gy.
  auto inverted = compute_region_dvh(pet, region, to_dose.inverse(), DoseField(dose));
  ASSERT_TRUE(inverted);
  EXPECT_GT(std::abs(inverted->dvh.mean_gy() - 30.0), 1.0);
}

TEST(RegionDvh, PartOutsideTheDoseGridIsCountedApart) {
  // 4 x 4 x 4 voxels of 2 mm (cells x in [-1, 7]); the dose grid's cells end at x = 3 (faces aligned):
  // exactly half the region, 256 mm^3, lies outside it.
  const ImageGeometry grid({4, 4, 4}, PatientPoint{0, 0, 0}, Vec3{2, 2, 2}, kAxes);
  LesionVoxels region;
  for (std::int64_t n = 0; n < 64; ++n) {
    region.index.push_back(n);
    region.weight.push_back(1.f);
  }
  DoseVolume dose(ImageGeometry({4, 8, 8}, PatientPoint{-0.5, -0.5, -0.5}, Vec3{1, 1, 1}, kAxes), 12.f);
  auto dvh = compute_region_dvh(grid, region, RigidMap{}, DoseField(dose));
  ASSERT_TRUE(dvh);
  // Fixed-point volume sums (2^-33 mm^3 per sample, ~400000 samples): within 1e-7 cc.
  EXPECT_NEAR(dvh->dvh.covered_volume_cc(), 0.256, 1e-7);
  EXPECT_NEAR(dvh->dvh.outside_volume_cc(), 0.256, 1e-7);
  EXPECT_NEAR(dvh->dvh.mean_gy(), 12.0, 1e-5);
  // EQD2 mean of a uniform 12 Gy in 3 fractions, alpha/beta 10: 12 (4 + 10) / 12 = 14 Gy.
  auto samples = sample_region(grid, region, RigidMap{}, dose);
  ASSERT_TRUE(samples);
  EXPECT_NEAR(*eqd2_mean_gy(*samples, 3, 10), 14.0, 1e-5);
  // Bad input: an index beyond the grid is an error naming it.
  region.index.back() = 64;
  auto bad = compute_region_dvh(grid, region, RigidMap{}, DoseField(dose));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("64"), std::string::npos);
}

TEST(StructureOccupancy, BoxAlignedWithTheGridFillsWholeVoxels) {
  // A 4 x 4 mm square on planes z = 1, 3 (slabs [0, 4]) over a 2 mm grid whose cells are [0, 2], [2, 4]:
  // the eight voxels with centres (1 or 3, 1 or 3, 1 or 3) are full, nothing else is touched.
  Structure s;
  s.name = "BOX";
  for (double z : {1.0, 3.0})
    s.contours.push_back(Contour{ContourType::closed_planar, {{0, 0, z}, {4, 0, z}, {4, 4, z}, {0, 4, z}}});
  const Volume<float> grid(ImageGeometry({4, 4, 4}, PatientPoint{1, 1, 1}, Vec3{2, 2, 2}, kAxes), 0.f);
  auto occ = structure_occupancy(s, RigidMap{}, grid);
  ASSERT_TRUE(occ);
  ASSERT_EQ(occ->index.size(), 8u);
  for (std::size_t q = 0; q < 8; ++q) {
    const VoxelIndex v = grid.geometry.index_of(occ->index[q]);
    EXPECT_TRUE(v.i < 2 && v.j < 2 && v.k < 2);
    // Samples lying exactly on a face shared by two voxels go to one of them by rounding (the surplus is
    // capped at 1): observed 1e-4, bounded here at 1e-3 (a 2 mm voxel, lattice step 0.07 mm).
    EXPECT_NEAR(occ->weight[q], 1.0, 1e-3);
  }
  // Shifted by +2 mm in x through the map: the voxels at i = 1, 2.
  RigidMap shift;
  shift.translation_mm = {2, 0, 0};
  auto moved = structure_occupancy(s, shift, grid);
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->index.size(), 8u);
  for (auto n : moved->index) EXPECT_GE(grid.geometry.index_of(n).i, 1);
}

}  // namespace
}  // namespace sbrtkit
