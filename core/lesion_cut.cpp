// MTV and SUVmean at a cut. Counting voxel centres misses a 20 mm lesion's volume by up to 10-30% at
// 4 mm voxels depending on where the lattice falls (a sphere of 2.5 voxels radius holds 65 or 81
// centres). A reconstructed PET image is smooth on the voxel scale (its PSF is wider than a voxel), so
// sbrtkit samples the isosurface of the interpolated image instead: 4 x 4 x 4 sub-samples per voxel from
// separable cubic convolution (Keys, a = -0.5), whose error is third order in the voxel size where
// trilinear interpolation, second order, flattens the lesion's shoulder and shrinks the cut by 3-5% at 4 mm.
#include "lesion_cut.h"

#include "voxel_neighbours.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>

namespace sbrtkit::detail {
namespace {

constexpr int kSub = 4;
constexpr int kReach = 2;  // taps at offsets -2..2 around the voxel

// Keys cubic convolution kernel, a = -0.5.
double keys(double x) {
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

// weight[s][t]: tap t (offset t - 2) of sub-sample s, at (s + 0.5) / 4 - 0.5 voxel from the centre.
using Taps = std::array<std::array<double, 2 * kReach + 1>, kSub>;
Taps sub_sample_taps() {
  Taps w{};
  for (int s = 0; s < kSub; ++s) {
    const double delta = (s + 0.5) / kSub - 0.5;
    for (int t = -kReach; t <= kReach; ++t) w[s][t + kReach] = keys(delta - t);
  }
  return w;
}

// The 4 x 4 x 4 interpolated values inside voxel (i, j, k); neighbours outside the image are clamped.
void interpolate_voxel(const Volume<float>& suv, const Taps& w, std::int64_t i, std::int64_t j, std::int64_t k,
                       std::array<double, kSub * kSub * kSub>& out) {
  const auto& size = suv.geometry.size();
  constexpr int n = 2 * kReach + 1;
  double block[n][n][n];  // [dk][dj][di]
  for (int c = 0; c < n; ++c)
    for (int b = 0; b < n; ++b)
      for (int a = 0; a < n; ++a) {
        const std::int64_t x = std::clamp<std::int64_t>(i + a - kReach, 0, size[0] - 1);
        const std::int64_t y = std::clamp<std::int64_t>(j + b - kReach, 0, size[1] - 1);
        const std::int64_t z = std::clamp<std::int64_t>(k + c - kReach, 0, size[2] - 1);
        block[c][b][a] = suv.voxels[x + size[0] * (y + size[1] * z)];
      }
  double along_x[n][n][kSub];
  for (int c = 0; c < n; ++c)
    for (int b = 0; b < n; ++b)
      for (int s = 0; s < kSub; ++s) {
        double v = 0;
        for (int a = 0; a < n; ++a) v += w[s][a] * block[c][b][a];
        along_x[c][b][s] = v;
      }
  double along_y[n][kSub][kSub];
  for (int c = 0; c < n; ++c)
    for (int t = 0; t < kSub; ++t)
      for (int s = 0; s < kSub; ++s) {
        double v = 0;
        for (int b = 0; b < n; ++b) v += w[t][b] * along_x[c][b][s];
        along_y[c][t][s] = v;
      }
  for (int u = 0; u < kSub; ++u)
    for (int t = 0; t < kSub; ++t)
      for (int s = 0; s < kSub; ++s) {
        double v = 0;
        for (int c = 0; c < n; ++c) v += w[u][c] * along_y[c][t][s];
        out[static_cast<std::size_t>((u * kSub + t) * kSub + s)] = v;
      }
}

}  // namespace

Cut voxel_cut(const Volume<float>& suv, const LesionVoxels& lesion, double threshold) {
  Cut c;
  for (std::size_t q = 0; q < lesion.index.size(); ++q) {
    const double v = suv.voxels[lesion.index[q]];
    if (v < threshold) continue;
    c.weight += lesion.weight[q];
    c.suv_sum += lesion.weight[q] * v;
  }
  return c;
}

Cut sub_voxel_cut(const Volume<float>& suv, const LesionVoxels& lesion, bool grow_into_neighbours,
                  const MaskVolume* not_lesion, double threshold) {
  const auto& g = suv.geometry;
  std::vector<std::int64_t> voxels = lesion.index;
  std::vector<float> weight = lesion.weight;
  if (grow_into_neighbours) {
    std::vector<std::int64_t> around;
    for (auto n : lesion.index)
      for_each_neighbour26(g, n, [&](std::int64_t m) {
        if (!(not_lesion && not_lesion->voxels[m])) around.push_back(m);
      });
    std::sort(around.begin(), around.end());
    around.erase(std::unique(around.begin(), around.end()), around.end());
    std::vector<std::int64_t> added;
    std::set_difference(around.begin(), around.end(), lesion.index.begin(), lesion.index.end(),
                        std::back_inserter(added));
    voxels.insert(voxels.end(), added.begin(), added.end());
    weight.insert(weight.end(), added.size(), 1.f);
  }
  static const Taps taps = sub_sample_taps();
  std::array<double, kSub * kSub * kSub> values{};
  Cut c;
  for (std::size_t q = 0; q < voxels.size(); ++q) {
    const std::int64_t n = voxels[q];
    const VoxelIndex at = g.index_of(n);
    interpolate_voxel(suv, taps, at.i, at.j, at.k, values);
    int above = 0;
    double sum = 0;
    for (double v : values)
      if (v >= threshold) {
        ++above;
        sum += v;
      }
    c.weight += double(weight[q]) * above / double(values.size());
    c.suv_sum += double(weight[q]) * sum / double(values.size());
  }
  return c;
}

}  // namespace sbrtkit::detail
