// dilate_mask (exact distance transform) against brute force, and shell_background's median.
#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <random>

#include "sbrtkit/lesion.h"

namespace sbrtkit {
namespace {

ImageGeometry box(std::int64_t nx, std::int64_t ny, std::int64_t nz, Vec3 spacing) {
  return ImageGeometry({nx, ny, nz}, PatientPoint{0, 0, 0}, spacing, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
}

TEST(DilateMask, MatchesBruteForceOnAnisotropicGrids) {
  std::mt19937 rng(7);
  for (const Vec3 spacing : {Vec3{1, 1, 1}, Vec3{0.9, 1.3, 3.0}, Vec3{4, 4, 2}}) {
    MaskVolume m(box(23, 17, 11, spacing), 0);
    std::vector<VoxelIndex> seeds;
    for (int s = 0; s < 6; ++s) {
      const VoxelIndex v{std::int64_t(rng() % 23), std::int64_t(rng() % 17), std::int64_t(rng() % 11)};
      m.at(v) = 1;
      seeds.push_back(v);
    }
    for (const double margin : {2.53, 6.07, 9.13}) {  // not a distance of the lattice: no ties
      const MaskVolume d = dilate_mask(m, margin);
      for (std::int64_t k = 0; k < 11; ++k)
        for (std::int64_t j = 0; j < 17; ++j)
          for (std::int64_t i = 0; i < 23; ++i) {
            bool near = false;
            for (const auto& s : seeds)
              near = near || std::hypot(double(i - s.i) * spacing.x, double(j - s.j) * spacing.y,
                                        double(k - s.k) * spacing.z) <= margin;
            double best = 1e9;
            for (const auto& s : seeds)
              best = std::min(best, std::hypot(double(i - s.i) * spacing.x, double(j - s.j) * spacing.y,
                                               double(k - s.k) * spacing.z));
            ASSERT_EQ(d.at(i, j, k) != 0, near) << best << " "  << i << "," << j << "," << k << " margin " << margin << " spacing " << spacing.x << "," << spacing.y << "," << spacing.z;
          }
    }
  }
  MaskVolume empty(box(5, 5, 5, Vec3{1, 1, 1}), 0);
  for (auto v : dilate_mask(empty, 3).voxels) EXPECT_EQ(v, 0);
}

TEST(ShellBackground, MedianOfTheShellLeavingOutBlockedVoxels) {
  // A single-voxel region at the centre of a 2 mm grid; the shell 3-5 mm holds the voxels whose centres
  // are 4, 4.47 or 4.90 mm away.
  Volume<float> suv(box(11, 11, 11, Vec3{2, 2, 2}), 1.f);
  const std::int64_t c = 5 + 11 * (5 + 11 * 5);
  // Make every shell voxel with x > centre hot: the median stays 1 while fewer than half are hot.
  int shell = 0, hot = 0;
  for (std::int64_t k = 0; k < 11; ++k)
    for (std::int64_t j = 0; j < 11; ++j)
      for (std::int64_t i = 0; i < 11; ++i) {
        const double d = 2 * std::sqrt(double((i - 5) * (i - 5) + (j - 5) * (j - 5) + (k - 5) * (k - 5)));
        if (d > 3 && d <= 5) {
          ++shell;
          if (i > 5) {
            suv.at(i, j, k) = 20.f;
            ++hot;
          }
        }
      }
  ASSERT_LT(2 * hot, shell);
  EXPECT_DOUBLE_EQ(*shell_background(suv, {c}, nullptr, 3, 5), 1.0);
  // Block the cool voxels: only hot ones remain, the median is 20.
  MaskVolume cool(suv.geometry, 0);
  for (std::size_t n = 0; n < suv.voxels.size(); ++n) cool.voxels[n] = suv.voxels[n] < 2;
  EXPECT_DOUBLE_EQ(*shell_background(suv, {c}, &cool, 3, 5), 20.0);
  // Everything blocked: no background.
  MaskVolume all(suv.geometry, 1);
  EXPECT_FALSE(shell_background(suv, {c}, &all, 3, 5).has_value());
}

TEST(ShellBackground, StatsAndVoxelsAroundAgainstBruteForce) {
  // A 2 mm grid with values (7i + 3j + k) mod 10 and a two-voxel region: the shell (3, 7] mm is collected by
  // brute force over every voxel (distance to the nearer region centre), sorted, and its median, nearest-rank
  // 95th percentile and 1.4826 x MAD computed here independently of the distance transform.
  Volume<float> suv(box(15, 15, 15, Vec3{2, 2, 2}), 0.f);
  for (std::int64_t k = 0; k < 15; ++k)
    for (std::int64_t j = 0; j < 15; ++j)
      for (std::int64_t i = 0; i < 15; ++i) suv.at(i, j, k) = float((7 * i + 3 * j + k) % 10);
  const std::vector<std::int64_t> region = {7 + 15 * (7 + 15 * 7), 8 + 15 * (7 + 15 * 7)};
  std::vector<std::int64_t> expected_indices;
  std::vector<double> values;
  for (std::int64_t k = 0; k < 15; ++k)
    for (std::int64_t j = 0; j < 15; ++j)
      for (std::int64_t i = 0; i < 15; ++i) {
        const double d = 2 * std::sqrt(std::min(double((i - 7) * (i - 7)), double((i - 8) * (i - 8))) +
                                       double((j - 7) * (j - 7) + (k - 7) * (k - 7)));
        if (d > 3 && d <= 7) {
          expected_indices.push_back(i + 15 * (j + 15 * k));
          values.push_back(suv.at(i, j, k));
        }
      }
  std::sort(expected_indices.begin(), expected_indices.end());
  EXPECT_EQ(voxels_around(suv.geometry, region, 3, 7), expected_indices);
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  const double p95 = values[std::size_t(std::ceil(0.95 * double(n))) - 1];
  std::vector<double> dev;
  for (double v : values) dev.push_back(std::abs(v - median));
  std::sort(dev.begin(), dev.end());
  const double mad = n % 2 ? dev[n / 2] : 0.5 * (dev[n / 2 - 1] + dev[n / 2]);
  const auto stats = shell_background_stats(suv, region, nullptr, 3, 7, 95);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->voxels, n);
  EXPECT_DOUBLE_EQ(stats->median_suv, median);
  EXPECT_DOUBLE_EQ(stats->percentile_suv, p95);
  EXPECT_NEAR(stats->robust_sd_suv, 1.4826 * mad, 1e-6);
  EXPECT_DOUBLE_EQ(stats->median_suv, *shell_background(suv, region, nullptr, 3, 7));  // the same median
  // The 0th and 100th percentiles are the shell's extremes.
  EXPECT_DOUBLE_EQ(shell_background_stats(suv, region, nullptr, 3, 7, 0)->percentile_suv, values.front());
  EXPECT_DOUBLE_EQ(shell_background_stats(suv, region, nullptr, 3, 7, 100)->percentile_suv, values.back());
}

TEST(ExclusionMask, HotOrgansGrowColdOnesDoNot) {
  // Two single-voxel "organs" on a 2 mm grid: a hot one (SUV 40 >= seed 3) grows by 4.5 mm, i.e. to the
  // voxels whose offsets (in 2 mm steps) have a squared length <= 5.06; a cold one (SUV 1.5) stays one voxel.
  Volume<float> suv(box(21, 21, 21, Vec3{2, 2, 2}), 1.f);
  const std::int64_t hot_n = suv.geometry.linear_index({5, 5, 5}), cold_n = suv.geometry.linear_index({15, 15, 15});
  suv.voxels[hot_n] = 40.f;
  suv.voxels[cold_n] = 1.5f;
  const ExclusionMask ex = exclusion_mask(suv, {LesionVoxels{{hot_n}, {1.f}}, LesionVoxels{{cold_n}, {1.f}}}, 3.0, 4.5);
  ASSERT_EQ(ex.grown.size(), 2u);
  EXPECT_TRUE(ex.grown[0]);
  EXPECT_FALSE(ex.grown[1]);
  EXPECT_FLOAT_EQ(ex.suv_max[0], 40.f);
  std::size_t set = 0;
  for (auto v : ex.mask.voxels) set += v != 0;
  // Squared lengths 0, 1, 2, 3, 4, 5: 1 + 6 + 12 + 8 + 6 + 24 = 57 offsets, plus the cold organ's voxel.
  EXPECT_EQ(set, 57u + 1u);
  EXPECT_TRUE(ex.mask.at(7, 5, 5));   // 4 mm along x
  EXPECT_FALSE(ex.mask.at(8, 5, 5));  // 6 mm
  EXPECT_FALSE(ex.mask.at(16, 15, 15));  // next to the cold organ
  // Margin 0: nothing grows.
  const ExclusionMask none = exclusion_mask(suv, {LesionVoxels{{hot_n}, {1.f}}}, 3.0, 0);
  EXPECT_FALSE(none.grown[0]);
}

}  // namespace
}  // namespace sbrtkit
