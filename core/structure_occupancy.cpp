#include "sbrtkit/structure_occupancy.h"

#include <algorithm>
#include <map>

#include "sbrtkit/structure_samples.h"

namespace sbrtkit {

Structure mapped_structure(const Structure& structure, const RigidMap& m) {
  Structure out = structure;
  for (auto& c : out.contours)
    for (auto& p : c.points) p = m.apply(p);
  return out;
}

Expected<LesionVoxels> structure_occupancy(const Structure& structure, const RigidMap& structure_to_grid,
                                           const Volume<float>& grid_image, std::size_t target_samples) {
  DvhOptions o;
  o.target_samples = target_samples;
  auto samples = sample_structure(mapped_structure(structure, structure_to_grid), grid_image, o);
  if (!samples) return samples.error().with_context("ROI '" + structure.name + "'");
  const ImageGeometry& g = grid_image.geometry;
  std::map<std::int64_t, double> occupancy;
  for (std::size_t n = 0; n < samples->points.size(); ++n) {
    const VoxelIndex v = g.nearest_voxel(samples->points[n]);
    if (g.contains(v)) occupancy[g.linear_index(v)] += samples->weight_mm3[n] / g.voxel_volume_mm3();
  }
  LesionVoxels out;
  out.index.reserve(occupancy.size());
  out.weight.reserve(occupancy.size());
  for (const auto& [n, w] : occupancy) {
    out.index.push_back(n);
    out.weight.push_back(static_cast<float>(std::min(1.0, w)));
  }
  return out;
}

}  // namespace sbrtkit
