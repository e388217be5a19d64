// Physiological-uptake mask for segmentation: organ ROIs, the hot ones grown by the scanner's spill-out.
#include <algorithm>

#include "sbrtkit/lesion.h"

namespace sbrtkit {

ExclusionMask exclusion_mask(const Volume<float>& suv, const std::vector<LesionVoxels>& organs, double seed_suv,
                             double margin_mm) {
  ExclusionMask out{MaskVolume(suv.geometry, 0), {}, {}};
  MaskVolume hot(suv.geometry, 0);
  for (const auto& organ : organs) {
    float hottest = 0;
    for (auto n : organ.index) hottest = std::max(hottest, suv.voxels[n]);
    const bool grow = margin_mm > 0 && hottest >= seed_suv;
    for (auto n : organ.index) (grow ? hot : out.mask).voxels[n] = 1;
    out.suv_max.push_back(hottest);
    out.grown.push_back(grow);
  }
  if (std::find(out.grown.begin(), out.grown.end(), true) != out.grown.end()) {
    hot = dilate_mask(hot, margin_mm);
    for (std::size_t n = 0; n < hot.voxels.size(); ++n) out.mask.voxels[n] |= hot.voxels[n];
  }
  return out;
}

}  // namespace sbrtkit
