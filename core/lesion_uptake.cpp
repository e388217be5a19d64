// Per-lesion uptake metrics on the image grid (see lesion.h for the definitions).
#include <algorithm>
#include <cmath>

#include "sbrtkit/lesion.h"
#include "lesion_cut.h"

namespace sbrtkit {
namespace {

// Longest distance between voxel centres; only surface voxels (a 6-neighbour outside the lesion) can be
// the ends of the longest chord of a voxel set, which keeps the pair search small.
double longest_diameter_mm(const ImageGeometry& g, const std::vector<std::int64_t>& voxels) {
  std::vector<std::uint8_t> in(static_cast<std::size_t>(g.voxel_count()), 0);
  for (auto n : voxels) in[n] = 1;
  std::vector<PatientPoint> surface;
  for (auto n : voxels) {
    const VoxelIndex v = g.index_of(n);
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
                            const UptakeOptions& o) {
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
    const PatientPoint p = g.to_patient(g.index_of(n));
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
  u.suv_max_voxel = g.index_of(max_n);
  u.longest_diameter_mm = longest_diameter_mm(g, core);
  u.suv_peak = suv_peak(suv, core, kernel);
  u.background_suv = o.background_suv;
  u.mtv_threshold_suv = o.mtv_threshold_suv ? *o.mtv_threshold_suv
                                            : o.background_suv + o.mtv_percent / 100.0 * (u.suv_max - o.background_suv);
  // A segmented lesion (given its cut) may extend into its neighbours' sub-voxels; an ROI stays in its voxels.
  const bool segmented = o.mtv_threshold_suv.has_value();
  const detail::Cut cut = o.sub_voxel
                              ? detail::sub_voxel_cut(suv, lesion, segmented, o.not_lesion, u.mtv_threshold_suv)
                              : detail::voxel_cut(suv, lesion, u.mtv_threshold_suv);
  u.mtv_cc = cut.weight * voxel_cc;
  u.suv_mean = cut.weight > 0 ? cut.suv_sum / cut.weight : 0;
  u.tlg = u.suv_mean * u.mtv_cc;
  // A segmented lesion's volume is its MTV; an ROI brings its own.
  const double volume_cc = segmented ? u.mtv_cc : u.volume_cc;
  u.suv_mean_recovered = recovered_mean_suv(suv, core, volume_cc, o.background_suv, o.spill_margin_mm, o.not_lesion);
  return u;
}

std::vector<LesionUptake> measure_lesion_set(const Volume<float>& suv, const std::vector<LesionVoxels>& lesions,
                                             const MaskVolume* exclude, const PeakKernel& kernel,
                                             const LesionSetOptions& o, const Segmentation* segmentation) {
  const auto& g = suv.geometry;
  const auto core_of = [](const LesionVoxels& l) {
    std::vector<std::int64_t> c;
    for (std::size_t q = 0; q < l.index.size(); ++q)
      if (l.weight[q] >= 0.5f) c.push_back(l.index[q]);
    return c;
  };
  // Not background: excluded organs, every lesion's core, and anything hot enough to seed a lesion (an
  // uncontoured lesion, an organ's blurred rim). Not this lesion: excluded organs and the other cores.
  MaskVolume not_background(g, 0), not_lesion(g, 0);
  for (std::size_t n = 0; n < suv.voxels.size(); ++n) {
    not_lesion.voxels[n] = exclude && exclude->voxels[n];
    not_background.voxels[n] = not_lesion.voxels[n] || suv.voxels[n] >= o.segmentation.seed_suv;
  }
  std::vector<std::vector<std::int64_t>> cores;
  for (const auto& l : lesions) {
    cores.push_back(core_of(l));
    for (auto n : cores.back()) not_background.voxels[n] = not_lesion.voxels[n] = 1;
  }

  std::vector<LesionUptake> out;
  for (std::size_t l = 0; l < lesions.size(); ++l) {
    UptakeOptions u;
    u.mtv_percent = o.mtv_percent;
    u.spill_margin_mm = o.segmentation.background_inner_mm;
    u.sub_voxel = o.sub_voxel;
    if (segmentation && l < segmentation->threshold_suv.size()) {
      u.background_suv = segmentation->background_suv[l];
      u.mtv_threshold_suv = segmentation->threshold_suv[l];
    } else if (o.segmentation.local_background) {
      const auto b = shell_background(suv, cores[l], &not_background, o.segmentation.background_inner_mm,
                                      o.segmentation.background_outer_mm);
      u.background_suv = std::max(0.0, b.value_or(0.0));
    }
    // The lesion's own core counts in its recovered mean (unless excluded).
    for (auto n : cores[l]) not_lesion.voxels[n] = exclude && exclude->voxels[n];
    u.not_lesion = &not_lesion;
    out.push_back(measure_uptake(suv, lesions[l], kernel, u));
    for (auto n : cores[l]) not_lesion.voxels[n] = 1;
  }
  return out;
}

}  // namespace sbrtkit
