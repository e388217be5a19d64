// Euclidean dilation of a voxel mask: every voxel whose centre lies within the margin of a mask voxel's
// centre, from the exact distance transform (linear in the image size whatever the margin).
#include "distance_transform.h"
#include "sbrtkit/lesion.h"

namespace sbrtkit {

MaskVolume dilate_mask(const MaskVolume& mask, double margin_mm) {
  MaskVolume out = mask;
  if (!(margin_mm > 0)) return out;
  const Vec3 sp = mask.geometry.spacing_mm();
  std::vector<std::uint8_t> inside(mask.voxels.size());
  for (std::size_t n = 0; n < inside.size(); ++n) inside[n] = mask.voxels[n] != 0;
  const auto d2 = squared_distance_map(inside, mask.geometry.size(), {sp.x, sp.y, sp.z});
  for (std::size_t n = 0; n < d2.size(); ++n) out.voxels[n] = d2[n] <= margin_mm * margin_mm;
  return out;
}

}  // namespace sbrtkit
