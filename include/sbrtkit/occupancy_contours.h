#pragma once
/// Voxel occupancy (a lesion's voxels with their weights, on the grid it was segmented on) turned into
/// closed planar contours on the slices of another image (the planning CT), as a planning system wants
/// them in an RTSTRUCT: on each target slice the occupancy is interpolated trilinearly at the slice's
/// pixel centres, subdivided to steps of at most 0.5 mm in-plane (through the rigid map between the
/// frames), and its level set at `level` is traced by
/// marching squares into closed loops. Pure computation.
///
/// The level: the 0.5 level set of trilinearly interpolated occupancy fractions lies inside a convex
/// lesion by about sigma^2 / r (the voxel's box filter twice, sigma^2 = 2 a^2 / 12: 0.18 mm for a 15 mm
/// sphere on 4 mm voxels, 6 % of its volume, more for smaller lesions). By default the level is instead
/// chosen so that the traced solid keeps the occupancy's volume, sum(weight) x voxel volume: the
/// N-th largest interpolated value over the in-plane samples, N = that volume / a sample's slab volume.
///
///   auto contours = occupancy_contours(pet_grid, lesion.voxels, pet_to_planning, planning_ct_grid);

#include <optional>
#include <vector>

#include "sbrtkit/geometry.h"
#include "sbrtkit/lesion.h"
#include "sbrtkit/registration.h"
#include "sbrtkit/slice_render.h"
#include "sbrtkit/structure.h"

namespace sbrtkit {

/// Closed loops of the level set value == level over a row-major grid of values at pixel centres
/// (width x height). The grid is taken as surrounded by values below level, so every loop closes;
/// crossings are placed by linear interpolation along cell edges, a saddle cell is resolved by its
/// centre (the mean of its corners), so the loops never cross. Loops have no repeated closing point;
/// nested loops are holes (even-odd), as in a DICOM contour set.
std::vector<std::vector<PixelPoint>> closed_isolines(const std::vector<float>& values, int width, int height,
                                                     double level);

struct OccupancyContours {
  std::vector<Contour> contours;  // one closed_planar contour per loop, slices in ascending k
  double level = 0.5;             // the occupancy level traced
};

/// The contours of the occupancy on target's slices, in target's patient coordinates on the slice planes.
/// `voxels` index `grid`; a voxel not listed has weight 0. Only the target pixels within one grid voxel
/// of the occupancy are sampled. level: nullopt = volume-preserving (above, clamped to 0.1 .. 0.9), to
/// volume_mm3 when given (a PET lesion's sub-voxel MTV, which refines its voxel count), else to
/// sum(weight) x voxel volume.
OccupancyContours occupancy_contours(const ImageGeometry& grid, const LesionVoxels& voxels,
                                     const RigidMap& grid_to_target, const ImageGeometry& target,
                                     std::optional<double> level = std::nullopt,
                                     std::optional<double> volume_mm3 = std::nullopt);

}  // namespace sbrtkit
