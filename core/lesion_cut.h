#pragma once
// The MTV region of a lesion at a given SUV cut, as a weighted sum over voxels (see lesion_cut.cpp).
#include "sbrtkit/lesion.h"

namespace sbrtkit::detail {

struct Cut {
  double weight = 0;   // in voxels
  double suv_sum = 0;  // sum of weight x SUV
};

/// Whole voxels at or above the threshold, times their ROI occupancy: what other tools count.
Cut voxel_cut(const Volume<float>& suv, const LesionVoxels& lesion, double threshold);

/// The isosurface of the interpolated image: 4 x 4 x 4 sub-samples per voxel. With
/// grow_into_neighbours, the 26-neighbours of the lesion not set in not_lesion are examined too.
Cut sub_voxel_cut(const Volume<float>& suv, const LesionVoxels& lesion, bool grow_into_neighbours,
                  const MaskVolume* not_lesion, double threshold);

}  // namespace sbrtkit::detail
