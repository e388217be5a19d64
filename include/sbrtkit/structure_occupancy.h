#pragma once
/// A structure's fractional occupancy on any regular grid (the PET grid for ROI lesions, organs to
/// exclude and the liver reference): the DVH engine's volume samples, each assigned to the grid voxel
/// whose cell holds it, summed and divided by the voxel volume (capped at 1).
///
///   auto occ = structure_occupancy(gtv, planning_to_pet, pet_suv);  // occ->index ascending

#include <cstddef>

#include "sbrtkit/expected.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

/// The structure with every contour point mapped by m (e.g. from the planning frame into a PET's).
Structure mapped_structure(const Structure& structure, const RigidMap& m);

/// Occupancy of `structure` (in its own frame) on the grid of `grid_image`, after mapping it by
/// structure_to_grid into the grid's frame. The image's values are not used, only its grid (the
/// sampler is the dose-grid one). target_samples bounds the sampling as in DvhOptions.
/// Errors: those of the contour stack, named by the ROI.
Expected<LesionVoxels> structure_occupancy(const Structure& structure, const RigidMap& structure_to_grid,
                                           const Volume<float>& grid_image, std::size_t target_samples = 200000);

}  // namespace sbrtkit
