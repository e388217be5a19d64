#pragma once
// Shared helpers for the dicom/ tests: a small reference grid with exactly representable values,
// and assertions on errors and on voxel-by-voxel agreement in patient space.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <filesystem>
#include <string>

#include "sbrtkit/expected.h"
#include "sbrtkit/volume.h"
#include "support/dciodvfy.h"

namespace sbrtkit::testing {

/// 4 x 3 x 5 voxels, spacings 2.5 / 2 / 3 mm, HFS axes, origin at short decimal coordinates (exact in DS).
inline ImageGeometry reference_grid() {
  return ImageGeometry({4, 3, 5}, PatientPoint{-10.5, 20.25, -30}, Vec3{2.5, 2.0, 3.0},
                       {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
}

/// Values n * step with a distinct integer n per voxel (offset allows negative values), so that a
/// writer using DoseGridScaling = step reproduces them exactly.
inline Volume<float> ramp(const ImageGeometry& g, double step, long offset = 1000) {
  Volume<float> v(g);
  for (std::size_t n = 0; n < v.voxels.size(); ++n) v.voxels[n] = static_cast<float>(double(offset + 7 * long(n)) * step);
  return v;
}

inline void expect_error(const Error& e, ErrorCode code, const std::filesystem::path& file, const std::string& tag) {
  EXPECT_EQ(e.code, code) << e.message();
  EXPECT_THAT(e.message(), ::testing::HasSubstr(file.string()));
  EXPECT_THAT(e.message(), ::testing::HasSubstr(tag));
}

/// Every voxel of `truth` is found at an integer index of `read` (the same physical point, to 1e-6 mm:
/// DS text of short decimals parses back exactly, so only double rounding of the index arithmetic
/// remains) and holds the same value within tol (0 = exact).
inline void expect_same_physical_values(const Volume<float>& truth, const Volume<float>& read, double tol = 0) {
  ASSERT_EQ(truth.geometry.voxel_count(), read.geometry.voxel_count());
  ASSERT_EQ(read.voxels.size(), static_cast<std::size_t>(read.geometry.voxel_count()));
  const auto& g = truth.geometry;
  for (std::int64_t k = 0; k < g.size()[2]; ++k)
    for (std::int64_t j = 0; j < g.size()[1]; ++j)
      for (std::int64_t i = 0; i < g.size()[0]; ++i) {
        const PatientPoint p = g.to_patient(VoxelIndex{i, j, k});
        const IndexPoint q = read.geometry.to_index(p);
        const VoxelIndex v = read.geometry.nearest_voxel(p);
        ASSERT_TRUE(read.geometry.contains(v)) << i << " " << j << " " << k;
        ASSERT_NEAR(q.i, double(v.i), 1e-6);
        ASSERT_NEAR(q.j, double(v.j), 1e-6);
        ASSERT_NEAR(q.k, double(v.k), 1e-6);
        if (tol == 0)
          ASSERT_EQ(truth.at(i, j, k), read.at(v)) << i << " " << j << " " << k;
        else
          ASSERT_NEAR(truth.at(i, j, k), read.at(v), tol) << i << " " << j << " " << k;
      }
}

}  // namespace sbrtkit::testing
