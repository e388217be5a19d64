// Dvh queries against DVHs whose cumulative curve is known in closed form. The model (volume spread
// uniformly over each bin's span) makes V(>=d) piecewise linear, and every truth below is piecewise
// linear with breakpoints on bin edges, so interpolation is exact: the only error is floating-point
// round-off in the suffix sums and the interpolation arithmetic (at most ~1e4 additions of eps 2.2e-16,
// i.e. ~1e-12 relative). Tolerance: 1e-9 relative to max(1, |truth|).

#include "sbrtkit/dvh.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace sbrtkit {
namespace {

constexpr double kRel = 1e-9;
double tol(double truth) { return kRel * std::max(1.0, std::abs(truth)); }

#define EXPECT_CLOSE(actual, truth) EXPECT_NEAR((actual), (truth), tol(truth))

/// Uniform dose from low_gy to high_gy over volume_cc, with bins of width w (low/high need not be edges).
Dvh uniform_dvh(double low_gy, double high_gy, double volume_cc, double w, double outside_mm3 = 0) {
  const auto first = static_cast<std::size_t>(std::floor(low_gy / w));
  auto last = static_cast<std::size_t>(std::floor(high_gy / w));
  if (static_cast<double>(last) * w == high_gy && last > first) --last;  // high on an edge: last bin is below it
  std::vector<double> bins(last + 1, 0.0);
  const double density_mm3_per_gy = volume_cc * 1000.0 / (high_gy - low_gy);
  for (std::size_t b = first; b <= last; ++b) {
    const double lo = std::max(low_gy, static_cast<double>(b) * w);
    const double hi = std::min(high_gy, static_cast<double>(b + 1) * w);
    bins[b] = density_mm3_per_gy * std::max(0.0, hi - lo);  // an edge bin can be empty by round-off
  }
  return Dvh(w, bins, outside_mm3, low_gy, high_gy, 0.5 * (low_gy + high_gy));
}

// --- Uniform 10..20 Gy over 5 cc, bins of 1 Gy: V(>=d) = 5 (20 - d) / 10, D(v) = 20 - 2 v ---------

TEST(Dvh, UniformVolumeAtLeastIsLinear) {
  const Dvh dvh = uniform_dvh(10, 20, 5, 1.0);
  EXPECT_CLOSE(dvh.covered_volume_cc(), 5.0);
  EXPECT_CLOSE(dvh.total_volume_cc(), 5.0);
  EXPECT_DOUBLE_EQ(dvh.coverage(), 1.0);
  EXPECT_FALSE(dvh.empty());
  EXPECT_CLOSE(dvh.volume_at_least_cc(0.0), 5.0);    // below min: everything
  EXPECT_CLOSE(dvh.volume_at_least_cc(10.0), 5.0);   // at min
  EXPECT_EQ(dvh.volume_at_least_cc(20.0), 0.0);      // at max: no volume above
  EXPECT_EQ(dvh.volume_at_least_cc(20.5), 0.0);      // above max
  for (double d : {10.25, 11.0, 12.3, 15.0, 17.77, 19.0, 19.999}) {
    EXPECT_CLOSE(dvh.volume_at_least_cc(d), 0.5 * (20.0 - d)) << "d=" << d;
  }
}

TEST(Dvh, UniformDoseAtVolumeIsInverse) {
  const Dvh dvh = uniform_dvh(10, 20, 5, 1.0);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(5.0), 10.0);  // whole volume -> min
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(0.0), 20.0);  // zero volume -> max
  for (double v : {0.03, 0.035, 0.5, 2.0, 2.5, 3.85, 4.75, 4.999}) {
    EXPECT_CLOSE(*dvh.dose_at_volume_cc(v), 20.0 - 2.0 * v) << "v=" << v;
  }
  EXPECT_FALSE(dvh.dose_at_volume_cc(5.001).has_value());
  EXPECT_FALSE(dvh.dose_at_volume_cc(-0.001).has_value());
  // 1e-12 relative above the covered volume is round-off (see dvh.h) and means "all of it".
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(5.0 * (1 + 1e-12)), 10.0);
}

TEST(Dvh, FineBinsGiveTheSameLinearCurve) {
  // 1 mGy bins as the sampler makes them: 10 000 bins of 0.5 mm3.
  const Dvh dvh = uniform_dvh(10, 20, 5, 0.001);
  for (double d : {10.0, 10.0005, 12.3456, 15.0, 19.9999}) {
    EXPECT_CLOSE(dvh.volume_at_least_cc(d), 0.5 * (20.0 - d)) << "d=" << d;
  }
  for (double v : {0.03, 1.2345, 4.75}) EXPECT_CLOSE(*dvh.dose_at_volume_cc(v), 20.0 - 2.0 * v) << "v=" << v;
}

// --- Bins not aligned with min/max: uniform 10.3..12.7 Gy, 1 cc/Gy => bins 0.7, 1.0, 0.7 cc --------

TEST(Dvh, FirstAndLastBinsAreClippedToMinAndMax) {
  const Dvh dvh(1.0, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 700, 1000, 700}, 0, 10.3, 12.7, 11.5);
  // V(>=d) = 12.7 - d on [10.3, 12.7]; nearest-bin or unclipped-bin reading would miss by up to 0.3 cc.
  EXPECT_CLOSE(dvh.volume_at_least_cc(10.3), 2.4);
  for (double d : {10.4, 10.9, 11.0, 11.6, 12.0, 12.35, 12.69}) {
    EXPECT_CLOSE(dvh.volume_at_least_cc(d), 12.7 - d) << "d=" << d;
  }
  for (double v : {0.1, 0.7, 1.0, 1.7, 2.0, 2.39}) EXPECT_CLOSE(*dvh.dose_at_volume_cc(v), 12.7 - v) << "v=" << v;
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(2.4), 10.3);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(0.0), 12.7);
}

TEST(Dvh, EndBinsStretchToDistantExtremes) {
  // The engine also records extremes at boundary points that carry no volume, so min/max can lie
  // bins away from the occupied ones; the end bins then stretch to them and are never clamped.
  // 1 cc in bin 5 with min 3 => span [3, 6]: V(>=d) = (6 - d) / 3 on [3, 6].
  const Dvh low(1.0, {0, 0, 0, 0, 0, 1000}, 0, 3.0, 6.0, 4.5);
  EXPECT_DOUBLE_EQ(low.min_gy(), 3.0);
  EXPECT_CLOSE(low.volume_at_least_cc(3.0), 1.0);
  EXPECT_CLOSE(low.volume_at_least_cc(4.5), 0.5);
  EXPECT_CLOSE(low.volume_at_least_cc(5.5), 0.5 / 3.0);
  EXPECT_CLOSE(*low.dose_at_volume_cc(0.5), 4.5);
  EXPECT_CLOSE(*low.dose_at_volume_cc(1.0), 3.0);
  // 1 cc in bin 5, 1 cc in bin 6 with max 9 => last span [6, 9]: V = 1 + (6 - d) on [5, 6], (9 - d) / 3 on [6, 9].
  const Dvh high(1.0, {0, 0, 0, 0, 0, 1000, 1000}, 0, 5.0, 9.0, 6.25);
  EXPECT_DOUBLE_EQ(high.max_gy(), 9.0);
  EXPECT_CLOSE(high.volume_at_least_cc(5.5), 1.5);
  EXPECT_CLOSE(high.volume_at_least_cc(7.5), 0.5);
  EXPECT_CLOSE(*high.dose_at_volume_cc(0.5), 7.5);
  EXPECT_CLOSE(*high.dose_at_volume_cc(0.0), 9.0);
  // One occupied bin, both extremes outside it: span [3, 9], V = 2 (9 - d) / 6.
  const Dvh both(1.0, {0, 0, 0, 0, 0, 2000}, 0, 3.0, 9.0, 6.0);
  EXPECT_CLOSE(both.volume_at_least_cc(4.5), 1.5);
  EXPECT_CLOSE(*both.dose_at_volume_cc(0.5), 7.5);
}

// --- Two bins: 1 cc in [2,3), 3 cc in [3,4) ------------------------------------------------------
// V(>=d) = 3 + (3 - d) on [2,3], 3 (4 - d) on [3,4].

TEST(Dvh, TwoBins) {
  const Dvh dvh(1.0, {0, 0, 1000, 3000}, 0, 2.0, 4.0, 3.25);
  EXPECT_CLOSE(dvh.volume_at_least_cc(2.25), 3.75);
  EXPECT_CLOSE(dvh.volume_at_least_cc(3.0), 3.0);
  EXPECT_CLOSE(dvh.volume_at_least_cc(3.5), 1.5);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(3.5), 2.5);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(3.0), 3.0);  // breakpoint between the bins
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(1.5), 3.5);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(0.3), 3.9);
}

// --- All volume in one bin -----------------------------------------------------------------------

TEST(Dvh, OneBinSpansMinToMax) {
  // 2 cc uniform on [20.2, 20.6] inside bin [20, 21): V(>=d) = 2 (20.6 - d) / 0.4.
  std::vector<double> bins(21, 0.0);
  bins[20] = 2000;
  const Dvh dvh(1.0, bins, 0, 20.2, 20.6, 20.4);
  EXPECT_CLOSE(dvh.volume_at_least_cc(20.2), 2.0);
  EXPECT_CLOSE(dvh.volume_at_least_cc(20.3), 1.5);
  EXPECT_CLOSE(dvh.volume_at_least_cc(20.5), 0.5);
  EXPECT_EQ(dvh.volume_at_least_cc(20.61), 0.0);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(1.0), 20.4);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(0.1), 20.58);
}

TEST(Dvh, SingleDoseIsAStep) {
  // Every sample at exactly 20 Gy (min == max): V(>=d) = 2 cc for d <= 20, 0 above.
  std::vector<double> bins(21, 0.0);
  bins[20] = 2000;
  const Dvh dvh(1.0, bins, 0, 20.0, 20.0, 20.0);
  EXPECT_CLOSE(dvh.volume_at_least_cc(20.0), 2.0);
  EXPECT_EQ(dvh.volume_at_least_cc(20.0001), 0.0);
  for (double v : {0.0, 0.03, 1.0, 2.0}) EXPECT_CLOSE(*dvh.dose_at_volume_cc(v), 20.0) << "v=" << v;
}

// --- Sparse bins with gaps ------------------------------------------------------------------------
// 1 cc on [5,6] (min 5), 2 cc on [10,11], 1 cc on [15,15.5] (max 15.5). V(>=d):
//   4 (d<=5), 3 + (6-d) on [5,6], 3 on [6,10], 1 + 2 (11-d) on [10,11], 1 on [11,15], 2 (15.5-d) on [15,15.5].

Dvh sparse_dvh() {
  std::vector<double> bins(16, 0.0);
  bins[5] = 1000;
  bins[10] = 2000;
  bins[15] = 1000;
  return Dvh(1.0, bins, 0, 5.0, 15.5, (1 * 5.5 + 2 * 10.5 + 1 * 15.25) / 4);
}

TEST(Dvh, SparseBinsVolumeAtLeast) {
  const Dvh dvh = sparse_dvh();
  EXPECT_CLOSE(dvh.volume_at_least_cc(5.5), 3.5);
  EXPECT_CLOSE(dvh.volume_at_least_cc(6.0), 3.0);
  EXPECT_CLOSE(dvh.volume_at_least_cc(8.0), 3.0);   // inside the gap: flat
  EXPECT_CLOSE(dvh.volume_at_least_cc(10.0), 3.0);
  EXPECT_CLOSE(dvh.volume_at_least_cc(10.5), 2.0);
  EXPECT_CLOSE(dvh.volume_at_least_cc(13.0), 1.0);
  EXPECT_CLOSE(dvh.volume_at_least_cc(15.25), 0.5);
}

TEST(Dvh, SparseBinsDoseAtVolumeTakesTheTopOfAFlatStretch) {
  const Dvh dvh = sparse_dvh();
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(3.5), 5.5);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(2.0), 10.5);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(0.5), 15.25);
  // V(>=d) = 3 cc for every d in [6, 10]. The hottest 3 cc is all material at >= 10 Gy, whose coldest
  // part is at 10 Gy; no material at all lies in [6, 10). So D3cc = 10, the highest such dose.
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(3.0), 10.0);
  // Same for the 1 cc flat stretch [11, 15]: D1cc = 15.
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(1.0), 15.0);
  // Just above / below a flat level the answer is inside the neighbouring occupied bin.
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(3.0 + 1e-6), 6.0 - 1e-6);
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(3.0 - 1e-6), 10.0 + 0.5e-6);
}

// --- Structure partly outside the dose grid -------------------------------------------------------

TEST(Dvh, OutsideVolumeIsReportedNotCountedAsZeroDose) {
  const Dvh dvh = uniform_dvh(10, 20, 5, 1.0, /*outside_mm3=*/1000);
  EXPECT_CLOSE(dvh.covered_volume_cc(), 5.0);
  EXPECT_CLOSE(dvh.outside_volume_cc(), 1.0);
  EXPECT_CLOSE(dvh.total_volume_cc(), 6.0);
  EXPECT_CLOSE(dvh.coverage(), 5.0 / 6.0);
  EXPECT_CLOSE(dvh.volume_at_least_cc(0.0), 5.0);  // zero dose is not received by the outside part
  EXPECT_CLOSE(*dvh.dose_at_volume_cc(5.0), 10.0);
  EXPECT_FALSE(dvh.dose_at_volume_cc(5.5).has_value());
}

// --- Empty DVH ------------------------------------------------------------------------------------

TEST(Dvh, EmptyDvh) {
  const Dvh none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.coverage(), 1.0);
  EXPECT_EQ(none.total_volume_cc(), 0.0);
  EXPECT_EQ(none.volume_at_least_cc(0.0), 0.0);
  EXPECT_FALSE(none.dose_at_volume_cc(0.0).has_value());
  EXPECT_TRUE(none.cumulative(1.0).empty());
  EXPECT_TRUE(none.differential(1.0).empty());

  const Dvh all_outside(0.001, {0, 0, 0}, 2500, 0, 0, 0);
  EXPECT_TRUE(all_outside.empty());
  EXPECT_EQ(all_outside.coverage(), 0.0);
  EXPECT_CLOSE(all_outside.total_volume_cc(), 2.5);
  EXPECT_EQ(all_outside.volume_at_least_cc(5.0), 0.0);
  EXPECT_FALSE(all_outside.dose_at_volume_cc(1.0).has_value());
}

// --- Output curves --------------------------------------------------------------------------------

TEST(Dvh, CumulativeCurve) {
  const Dvh dvh = uniform_dvh(10, 20, 5, 1.0);
  const auto curve = dvh.cumulative(2.5);
  // 0, 2.5, ..., 17.5 then the end point (20, 0).
  ASSERT_EQ(curve.size(), 9u);
  for (std::size_t k = 0; k < 8; ++k) {
    const double d = 2.5 * static_cast<double>(k);
    EXPECT_CLOSE(curve[k].dose_gy, d);
    EXPECT_CLOSE(curve[k].volume_cc, d <= 10 ? 5.0 : 0.5 * (20 - d)) << "k=" << k;
  }
  EXPECT_CLOSE(curve.back().dose_gy, 20.0);
  EXPECT_EQ(curve.back().volume_cc, 0.0);
  // A step that divides max still ends with exactly one point at max.
  const auto ones = dvh.cumulative(1.0);
  ASSERT_EQ(ones.size(), 21u);
  EXPECT_CLOSE(ones[19].dose_gy, 19.0);
  EXPECT_CLOSE(ones[19].volume_cc, 0.5);
}

TEST(Dvh, DifferentialCurveSumsToCoveredVolume) {
  const Dvh dvh = uniform_dvh(10, 20, 5, 1.0);
  const auto curve = dvh.differential(5.0);
  // [0,5) [5,10) [10,15) [15,20) [20,25): 0, 0, 2.5, 2.5, 0 cc.
  ASSERT_EQ(curve.size(), 5u);
  const double truth[] = {0, 0, 2.5, 2.5, 0};
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_CLOSE(curve[k].dose_gy, 2.5 + 5.0 * static_cast<double>(k));
    EXPECT_CLOSE(curve[k].volume_cc, truth[k]) << "k=" << k;
  }
  // Whole volume at exactly 20 Gy lands in the bin [20, 21).
  std::vector<double> bins(21, 0.0);
  bins[20] = 2000;
  const auto spike = Dvh(1.0, bins, 0, 20.0, 20.0, 20.0).differential(1.0);
  ASSERT_EQ(spike.size(), 21u);
  EXPECT_CLOSE(spike[20].volume_cc, 2.0);
  EXPECT_CLOSE(spike[20].dose_gy, 20.5);
  double sum = 0;
  for (const auto& p : sparse_dvh().differential(0.25)) sum += p.volume_cc;
  EXPECT_CLOSE(sum, 4.0);
}

}  // namespace
}  // namespace sbrtkit
