// Per-lesion uptake metrics on the image grid (see lesion.h for the definitions).
#include <algorithm>
#include <cmath>

#include "sbrtkit/lesion.h"

namespace sbrtkit {
namespace {

VoxelIndex voxel_of(const ImageGeometry& g, std::int64_t n) {
  const std::int64_t nx = g.size()[0], ny = g.size()[1];
  return {n % nx, (n / nx) % ny, n / (nx * ny)};
}

// Longest distance between voxel centres; only surface voxels (a 6-neighbour outside the lesion) can be
// the ends of the longest chord of a voxel set, which keeps the pair search small.
double longest_diameter_mm(const ImageGeometry& g, const std::vector<std::int64_t>& voxels) {
  std::vector<std::uint8_t> in(static_cast<std::size_t>(g.voxel_count()), 0);
  for (auto n : voxels) in[n] = 1;
  std::vector<PatientPoint> surface;
  for (auto n : voxels) {
    const VoxelIndex v = voxel_of(g, n);
    bool edge = false;
    const VoxelIndex nb[6] = {{v.i - 1, v.j, v.k}, {v.i + 1, v.j, v.k}, {v.i, v.j - 1, v.k},
                              {v.i, v.j + 1, v.k}, {v.i, v.j, v.k - 1}, {v.i, v.j, v.k + 1}};
    for (const auto& w : nb) edge = edge || !g.contains(w) || !in[g.linear_index(w)];
    if (edge) surface.push_back(g.to_patient(v));
  }
  double best2 = 0;
  for (std::size_t a = 0; a < surface.size(); ++a)
    for (std::size_t b = a + 1; b < surface.size(); ++b) {
      const Vec3 d = surface[a] - surface[b];
      best2 = std::max(best2, dot(d, d));
    }
  return std::sqrt(best2);
}

}  // namespace

LesionUptake measure_uptake(const Volume<float>& suv, const LesionVoxels& lesion, const PeakKernel& kernel,
                            double mtv_percent, std::optional<double> mtv_threshold_suv) {
  LesionUptake u;
  if (lesion.index.empty()) return u;
  const auto& g = suv.geometry;
  const double voxel_cc = g.voxel_volume_mm3() / 1000.0;
  double w_sum = 0;
  Vec3 moment;
  std::vector<std::int64_t> core;  // voxels with weight >= 0.5
  std::int64_t max_n = -1;
  for (std::size_t q = 0; q < lesion.index.size(); ++q) {
    const std::int64_t n = lesion.index[q];
    const double w = lesion.weight[q];
    w_sum += w;
    const PatientPoint p = g.to_patient(voxel_of(g, n));
    moment = moment + w * Vec3{p.x, p.y, p.z};
    if (w >= 0.5) {
      core.push_back(n);
      if (max_n < 0 || suv.voxels[n] > suv.voxels[max_n]) max_n = n;
    }
  }
  u.volume_cc = w_sum * voxel_cc;
  if (w_sum > 0) u.centroid = PatientPoint{moment.x / w_sum, moment.y / w_sum, moment.z / w_sum};
  if (core.empty()) return u;
  u.suv_max = suv.voxels[max_n];
  u.suv_max_voxel = voxel_of(g, max_n);
  u.longest_diameter_mm = longest_diameter_mm(g, core);
  u.suv_peak = suv_peak(suv, core, kernel);
  u.mtv_threshold_suv = mtv_threshold_suv ? *mtv_threshold_suv : mtv_percent / 100.0 * u.suv_max;
  double mtv_w = 0, mtv_s = 0;
  for (std::size_t q = 0; q < lesion.index.size(); ++q) {
    const double v = suv.voxels[lesion.index[q]];
    if (v < u.mtv_threshold_suv) continue;
    mtv_w += lesion.weight[q];
    mtv_s += lesion.weight[q] * v;
  }
  u.mtv_cc = mtv_w * voxel_cc;
  u.suv_mean = mtv_w > 0 ? mtv_s / mtv_w : 0;
  u.tlg = u.suv_mean * u.mtv_cc;
  return u;
}

}  // namespace sbrtkit
