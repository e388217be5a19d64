// Local background around a lesion, and the activity-recovered mean uptake. Both work on the voxels
// at a given distance from the lesion (exact Euclidean distances between voxel centres).
#include <algorithm>
#include <cmath>

#include "distance_transform.h"
#include "sbrtkit/lesion.h"

namespace sbrtkit {
namespace {

// Voxels whose centre lies at a distance in (inner_mm, outer_mm] from the nearest voxel centre of `region`
// (ascending indices); inner_mm < 0 includes the region itself. Exact distances on the region's bounding
// box grown by outer_mm.
std::vector<std::int64_t> ring_around(const ImageGeometry& g, const std::vector<std::int64_t>& region, double inner_mm,
                                      double outer_mm) {
  std::vector<std::int64_t> out;
  if (region.empty()) return out;
  const std::int64_t size[3] = {g.size()[0], g.size()[1], g.size()[2]};
  const Vec3 sp = g.spacing_mm();
  const double spacing[3] = {sp.x, sp.y, sp.z};
  std::int64_t lo[3] = {size[0], size[1], size[2]}, hi[3] = {-1, -1, -1};
  for (auto n : region) {
    const VoxelIndex x = g.index_of(n);
    const std::int64_t v[3] = {x.i, x.j, x.k};
    for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], v[a]), hi[a] = std::max(hi[a], v[a]);
  }
  std::array<std::int64_t, 3> box{};
  for (int a = 0; a < 3; ++a) {
    const auto reach = static_cast<std::int64_t>(std::ceil(outer_mm / spacing[a]));
    lo[a] = std::max<std::int64_t>(0, lo[a] - reach);
    hi[a] = std::min<std::int64_t>(size[a] - 1, hi[a] + reach);
    box[a] = hi[a] - lo[a] + 1;
  }
  const auto to_box = [&](std::int64_t n) {
    const VoxelIndex v = g.index_of(n);
    return (v.i - lo[0]) + box[0] * ((v.j - lo[1]) + box[1] * (v.k - lo[2]));
  };
  std::vector<std::uint8_t> inside(static_cast<std::size_t>(box[0] * box[1] * box[2]), 0);
  for (auto n : region) inside[to_box(n)] = 1;
  const auto d2 = squared_distance_map(inside, box, {sp.x, sp.y, sp.z});
  const double inner2 = inner_mm < 0 ? -1 : inner_mm * inner_mm, outer2 = outer_mm * outer_mm;
  for (std::int64_t k = 0; k < box[2]; ++k)
    for (std::int64_t j = 0; j < box[1]; ++j)
      for (std::int64_t i = 0; i < box[0]; ++i) {
        const double d = d2[i + box[0] * (j + box[1] * k)];
        if (d > inner2 && d <= outer2) out.push_back((i + lo[0]) + size[0] * ((j + lo[1]) + size[1] * (k + lo[2])));
      }
  return out;
}

bool blocked(const MaskVolume* mask, std::int64_t n) { return mask && mask->voxels[n]; }

}  // namespace

namespace {

// Median of the values (reordered); the mean of the two middle ones for an even count.
double median_of(std::vector<float>& values) {
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  if (values.size() % 2) return *mid;
  const float upper = *mid;
  return 0.5 * (upper + *std::max_element(values.begin(), mid));
}

std::vector<float> shell_values(const Volume<float>& suv, const std::vector<std::int64_t>& region,
                                const MaskVolume* not_background, double inner_mm, double outer_mm) {
  std::vector<float> values;
  for (auto n : ring_around(suv.geometry, region, inner_mm, outer_mm))
    if (!blocked(not_background, n)) values.push_back(suv.voxels[n]);
  return values;
}

}  // namespace

std::vector<std::int64_t> voxels_around(const ImageGeometry& grid, const std::vector<std::int64_t>& region,
                                        double inner_mm, double outer_mm) {
  return ring_around(grid, region, inner_mm, outer_mm);
}

std::optional<double> shell_background(const Volume<float>& suv, const std::vector<std::int64_t>& region,
                                       const MaskVolume* not_background, double inner_mm, double outer_mm) {
  std::vector<float> values = shell_values(suv, region, not_background, inner_mm, outer_mm);
  if (values.empty()) return std::nullopt;
  // Median: a neighbouring hot organ or lesion in part of the shell does not move it.
  return median_of(values);
}

std::optional<BackgroundStats> shell_background_stats(const Volume<float>& suv, const std::vector<std::int64_t>& region,
                                                      const MaskVolume* not_background, double inner_mm,
                                                      double outer_mm, double percentile) {
  std::vector<float> values = shell_values(suv, region, not_background, inner_mm, outer_mm);
  if (values.empty()) return std::nullopt;
  BackgroundStats s;
  s.voxels = values.size();
  // Nearest rank: the smallest value with at least percentile % of the shell at or below it.
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(std::clamp(percentile, 0.0, 100.0) / 100.0 * double(values.size()));
  s.percentile_suv = values[std::size_t(std::clamp(rank, 1.0, double(values.size()))) - 1];
  s.median_suv = median_of(values);
  for (float& v : values) v = static_cast<float>(std::abs(v - s.median_suv));
  // 1.4826 x MAD is the SD of a normal distribution, and a hot neighbour in part of the shell barely moves it.
  s.robust_sd_suv = 1.4826 * median_of(values);
  return s;
}

double recovered_mean_suv(const Volume<float>& suv, const std::vector<std::int64_t>& region, double volume_cc,
                          double background_suv, double margin_mm, const MaskVolume* not_lesion) {
  if (!(volume_cc > 0)) return 0;
  double excess = 0;  // sum of (SUV - background) over the region and its spill margin, in voxels
  for (auto n : ring_around(suv.geometry, region, -1, margin_mm))
    if (!blocked(not_lesion, n)) excess += suv.voxels[n] - background_suv;
  const double voxel_cc = suv.geometry.voxel_volume_mm3() / 1000.0;
  return background_suv + excess * voxel_cc / volume_cc;
}

}  // namespace sbrtkit
